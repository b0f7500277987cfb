import { InputError } from '@backstage/errors';
import { formatIssuePath } from '@portico/plugin-exposure-common';
import { z } from 'zod';

/**
 * Parses input with a zod schema; on failure throws a 400 whose message names
 * every bad field (`ports[0].port: must be a port between 1 and 65535`).
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue => {
    const path = formatIssuePath('', issue.path);
    return `${path || where}: ${issue.message}`;
  });
  throw new InputError(`invalid ${where}: ${problems.join('; ')}`);
}
