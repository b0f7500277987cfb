import { z } from 'zod';
import type { ConfigProblem } from './metallbConfig';
import { namespacedKey, refOf } from './objectRef';

const grantSpec = z.object({
  service: z.object({ namespace: z.string().min(1), name: z.string().min(1) }),
  addresses: z.array(z.string()).min(1),
  pool: z.string().min(1),
  requestId: z.string().default(''),
  owner: z.string().default(''),
  expiresAt: z.string().optional(),
  allowSharedIP: z.boolean().optional(),
});

/** The parts of an ExposureGrant that decide an assignment. */
export interface GrantInfo {
  name: string;
  uid?: string;
  /** `namespace/name` of the Service it covers. */
  serviceKey: string;
  addresses: string[];
  pool: string;
  owner: string;
  requestId: string;
  expiresAt?: string;
  allowSharedIP: boolean;
  createdAt: string;
  generation?: number;
  /** The `Assigned` condition the controller last wrote, if any. */
  assigned?: { status: string; reason?: string; message?: string };
}

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
      uid: ref.uid,
      serviceKey: namespacedKey(spec.service.namespace, spec.service.name),
      addresses: spec.addresses,
      pool: spec.pool,
      owner: spec.owner,
      requestId: spec.requestId,
      expiresAt: spec.expiresAt,
      allowSharedIP: spec.allowSharedIP ?? false,
      createdAt:
        created instanceof Date ? created.toISOString() : String(created ?? ''),
      generation: o.metadata?.generation,
      assigned: assignedCondition(o.status),
    });
  }
  return { grants, problems };
}

function assignedCondition(status: any): GrantInfo['assigned'] {
  const conditions: unknown = status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  const c = conditions.find(
    x => x && typeof x === 'object' && x.type === 'Assigned',
  );
  if (!c || typeof c.status !== 'string') return undefined;
  return {
    status: c.status,
    reason: typeof c.reason === 'string' ? c.reason : undefined,
    message: typeof c.message === 'string' ? c.message : undefined,
  };
}
