import { Config } from '@backstage/config';
import {
  ExposureConfig,
  exposureConfigSchema,
  formatIssuePath,
} from '@portico/plugin-exposure-common';

/** The `exposure` section failed validation; the message lists every problem. */
export class ExposureConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid exposure configuration:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ExposureConfigError';
  }
}

/**
 * Reads and validates `exposure` from app config. Throws at startup with the
 * path of every bad key and why, so a broken network contract never serves.
 */
export function readExposureConfig(config: Config): ExposureConfig {
  const raw = config.getOptional('exposure') ?? {};
  const result = exposureConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ExposureConfigError(
      result.error.issues.map(
        issue => `${formatIssuePath('exposure', issue.path)}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}
