import { findPaths } from '@backstage/cli-common';
import { ConfigSources } from '@backstage/config-loader';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  exposureConfigSchema,
  formatIssuePath,
} from '@portico/plugin-exposure-common';
import { parseDocument } from 'yaml';

/** The database clients this backend ships drivers for. */
export const SUPPORTED_DATABASE_CLIENTS = ['better-sqlite3', 'pg'];

/**
 * Checks what Backstage itself would only discover deep inside a plugin's startup:
 * unreadable YAML (reported with its file, line and column) and an unknown
 * database client (reported with its key), and a bad `exposure` section (every
 * problem with its path). Throws an Error with the message to print.
 */
export async function checkStartupConfig(
  argv: string[] = process.argv,
): Promise<void> {
  const files = configFiles(argv);
  for (const file of files) {
    const problem = yamlProblem(file);
    if (problem) throw new Error(problem);
  }
  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv, rootDir: rootDir(), watch: false }),
  );
  // A one-off read: close it, or its file watchers keep the process alive.
  config.close();
  const exposure = exposureConfigSchema.safeParse(
    config.getOptional('exposure') ?? {},
  );
  if (!exposure.success) {
    // Every problem, once: the plugins would each report it, then hang unready.
    throw new Error(
      `invalid exposure configuration:\n${exposure.error.issues
        .map(i => `  - ${formatIssuePath('exposure', i.path)}: ${i.message}`)
        .join('\n')}`,
    );
  }
  const client = config.getOptionalString('backend.database.client');
  if (client !== undefined && !SUPPORTED_DATABASE_CLIENTS.includes(client)) {
    throw new Error(
      `backend.database.client: "${client}" is not a supported database client; use one of ${SUPPORTED_DATABASE_CLIENTS.join(
        ', ',
      )}`,
    );
  }
}

function rootDir(): string {
  /* eslint-disable-next-line no-restricted-syntax */
  return findPaths(__dirname).targetRoot;
}

function configFiles(argv: string[]): string[] {
  const given: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--config' && argv[i + 1]) given.push(argv[i + 1]);
    else if (arg.startsWith('--config=')) given.push(arg.slice(9));
  });
  if (given.length) {
    return given.filter(f => !/^https?:/.test(f)).map(f => resolve(f));
  }
  return ['app-config.yaml', 'app-config.local.yaml']
    .map(f => resolve(rootDir(), f))
    .filter(f => existsSync(f));
}

function yamlProblem(file: string): string | undefined {
  if (!existsSync(file)) return `${file}: configuration file not found`;
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  const error = doc.errors[0];
  if (!error) return undefined;
  const [line, col] = error.linePos?.[0]
    ? [error.linePos[0].line, error.linePos[0].col]
    : [0, 0];
  return `${file}:${line}:${col}: invalid YAML: ${
    error.message.split('\n')[0]
  }`;
}
