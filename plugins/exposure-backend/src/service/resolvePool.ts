import { InputError } from '@backstage/errors';
import type { CreateRequestBody } from '@portico/plugin-exposure-common';
import type { PoolEntry } from './allocateAddress';

/** Pool named in the body, or the first pool of the intent that fits. */
export function resolvePool(
  pools: Map<string, PoolEntry>,
  body: CreateRequestBody,
): PoolEntry {
  if (body.pool !== undefined) {
    const entry = pools.get(body.pool);
    if (!entry) {
      throw new InputError(
        `pool: unknown pool "${body.pool}" (known: ${[...pools.keys()].join(
          ', ',
        )})`,
      );
    }
    if (body.intent !== undefined && entry.pool.intent !== body.intent) {
      throw new InputError(
        `intent: pool "${body.pool}" is ${entry.pool.intent}, not ${body.intent}`,
      );
    }
    return entry;
  }
  const candidates = [...pools.values()].filter(
    e => e.pool.intent === body.intent,
  );
  const fitting =
    candidates.find(
      e =>
        e.segment.clusters.includes(body.cluster) &&
        (e.pool.policy.owners.length === 0 ||
          e.pool.policy.owners.includes(body.owner)),
    ) ?? candidates[0];
  if (!fitting) {
    throw new InputError(`intent: no pool has intent ${body.intent}`);
  }
  return fitting;
}
