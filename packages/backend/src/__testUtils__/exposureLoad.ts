import { performance } from 'node:perf_hooks';

/** What one client call ended with. */
export interface LoadOutcome {
  /** The request's id when the backend acknowledged it (201). */
  id?: string;
  address?: string;
  status: number;
  /** Tries it took, retries after a lost connection or a 5xx included. */
  attempts: number;
  latencyMs: number;
  /** True when an answer came from a replay of the Idempotency-Key. */
  replayed: boolean;
}

export interface LoadOptions {
  /** Base URLs of the backend replicas; clients go round them. */
  urls: () => string[];
  token: string;
  count: number;
  clients: number;
  /** The body of request `i`. */
  body: (i: number) => object;
  /** Idempotency-Key of request `i` (kept across its retries). */
  key: (i: number) => string;
  /** Tries per request before giving up; every one bounded in time. */
  maxAttempts?: number;
  /** Called after each acknowledged request, with how many are done. */
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/**
 * `count` exposure requests from `clients` concurrent clients, each retried
 * with its Idempotency-Key on the next replica when the connection fails or
 * the answer is a 5xx, as a careful client (the scaffolder action) does.
 */
export async function runExposureLoad(
  options: LoadOptions,
): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = new Array(options.count);
  const maxAttempts = options.maxAttempts ?? 8;
  let next = 0;
  let done = 0;
  const one = async (i: number, lane: number): Promise<LoadOutcome> => {
    const started = performance.now();
    let status = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      options.signal?.throwIfAborted();
      const urls = options.urls();
      const url = urls[(lane + attempt - 1) % urls.length];
      try {
        const res = await fetch(`${url}/api/exposure/requests`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/json',
            'idempotency-key': options.key(i),
          },
          body: JSON.stringify(options.body(i)),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        const body = (await res.json()) as { id?: string; address?: string };
        if (status < 500) {
          return {
            status,
            attempts: attempt,
            latencyMs: performance.now() - started,
            replayed: res.headers.get('idempotent-replayed') === 'true',
            ...(status === 201 ? { id: body.id, address: body.address } : {}),
          };
        }
      } catch {
        status = 0; // the connection failed: the replica may be gone
      }
      await new Promise(r => setTimeout(r, 50 * attempt));
    }
    return {
      status,
      attempts: maxAttempts,
      latencyMs: performance.now() - started,
      replayed: false,
    };
  };
  await Promise.all(
    Array.from({ length: options.clients }, async (_, lane) => {
      while (next < options.count) {
        const i = next++;
        outcomes[i] = await one(i, lane);
        if (outcomes[i].status === 201) options.onProgress?.(++done);
      }
    }),
  );
  return outcomes;
}

/** The p-th percentile (0–100) of the values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[rank];
}

/** Allocations as `GET /allocations` lists them, read as an admin. */
export async function listAllocations(
  url: string,
  token: string,
): Promise<{ requestId: string; address: string; serviceName: string }[]> {
  const res = await fetch(`${url}/api/exposure/allocations`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET /allocations answered ${res.status}`);
  return ((await res.json()) as { items: any[] }).items;
}

/** `GET /audit/verify` as an admin. */
export async function verifyAudit(
  url: string,
  token: string,
): Promise<{ valid: boolean; checked: number; reason?: string }> {
  const res = await fetch(`${url}/api/exposure/audit/verify`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET /audit/verify answered ${res.status}`);
  return res.json() as any;
}

/**
 * What a run lost or doubled: acknowledged requests without an allocation,
 * Services with two allocations, addresses held twice.
 */
export function checkDurability(
  outcomes: LoadOutcome[],
  allocations: { requestId: string; address: string; serviceName: string }[],
) {
  const allocated = new Set(allocations.map(a => a.requestId));
  const acknowledged = outcomes.filter(o => o.status === 201);
  const lost = acknowledged.filter(o => !allocated.has(o.id!)).length;
  const perService = new Map<string, number>();
  for (const a of allocations) {
    perService.set(a.serviceName, (perService.get(a.serviceName) ?? 0) + 1);
  }
  const duplicates = [...perService.values()].filter(n => n > 1).length;
  const doubleAllocations =
    allocations.length - new Set(allocations.map(a => a.address)).size;
  return {
    acknowledged: acknowledged.length,
    failed: outcomes.filter(o => o.status !== 201).length,
    retried: outcomes.filter(o => o.attempts > 1).length,
    lost,
    duplicates,
    doubleAllocations,
  };
}
