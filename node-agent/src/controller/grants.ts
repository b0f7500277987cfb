import { z } from 'zod';
import type { ConfigProblem } from '../kube/metallbConfig';
import { namespacedKey, refOf } from '../kube/objectRef';
import type { GrantInfo } from './allocator/types';

const grantSpec = z.object({
  service: z.object({ namespace: z.string().min(1), name: z.string().min(1) }),
  addresses: z.array(z.string()).min(1),
  pool: z.string().min(1),
  requestId: z.string().default(''),
  owner: z.string().default(''),
  expiresAt: z.string().optional(),
  allowSharedIP: z.boolean().optional(),
});

export const GRANT_API_VERSION = 'portico.dev/v1alpha1';

/** Reads ExposureGrants; a malformed one is a problem to report, not a crash. */
export function parseGrants(raw: unknown[]): {
  grants: GrantInfo[];
  problems: ConfigProblem[];
} {
  const grants: GrantInfo[] = [];
  const problems: ConfigProblem[] = [];
  for (const obj of raw) {
    const o = (obj ?? {}) as any;
    const ref = refOf(o, GRANT_API_VERSION, 'ExposureGrant');
    const parsed = grantSpec.safeParse(o.spec);
    if (!parsed.success || !ref.name) {
      const why = parsed.success
        ? 'metadata.name is missing'
        : parsed.error.issues
            .map(i => `${i.path.join('.')}: ${i.message}`)
            .join('; ');
      problems.push({ ref, message: `invalid ExposureGrant: ${why}` });
      continue;
    }
    const spec = parsed.data;
    const created = o.metadata?.creationTimestamp;
    grants.push({
      name: ref.name,
      serviceKey: namespacedKey(spec.service.namespace, spec.service.name),
      addresses: spec.addresses,
      pool: spec.pool,
      owner: spec.owner,
      requestId: spec.requestId,
      expiresAt: spec.expiresAt,
      allowSharedIP: spec.allowSharedIP ?? false,
      createdAt:
        created instanceof Date ? created.toISOString() : String(created ?? ''),
    });
  }
  return { grants, problems };
}
