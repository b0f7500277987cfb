import { isDeepStrictEqual } from 'node:util';
import { KubeObject, MANAGED_KINDS, objectKey } from '../render/kubeObject';
import { describeClusterError } from '../kube/describeClusterError';
import { httpStatusOf } from '../kube/ClusterClient';

export interface SyncClient {
  listManaged(apiVersion: string, kind: string): Promise<KubeObject[]>;
  create(object: KubeObject): Promise<void>;
  replace(object: KubeObject): Promise<void>;
  delete(object: KubeObject): Promise<void>;
}

/** A write the cluster refused, and why. */
export interface SyncProblem {
  object: string;
  message: string;
}

export interface SyncResult {
  created: number;
  updated: number;
  deleted: number;
  /** Writes the cluster refused; every other object was still written. */
  problems: SyncProblem[];
}

/**
 * True when every field Portico sets is as it wants it. The server may add
 * defaults (and the node agent writes status), so extra fields are not drift.
 */
export function covers(actual: unknown, desired: unknown): boolean {
  if (desired === null || typeof desired !== 'object') {
    return isDeepStrictEqual(actual, desired);
  }
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((d, i) => covers(actual[i], d))
    );
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(desired).every(([k, v]) =>
    covers((actual as Record<string, unknown>)[k], v),
  );
}

/**
 * Makes the cluster hold exactly the desired Portico-managed objects: creates the
 * missing, replaces the changed, deletes the ones no longer wanted. Idempotent:
 * a second run against an unchanged cluster writes nothing. A write the cluster
 * answers with an error (a namespace that is missing or terminating, a schema
 * rule) is reported and the rest still written; a cluster that does not answer,
 * or rejects the token, fails the pass.
 */
export async function syncObjects(
  client: SyncClient,
  desired: KubeObject[],
  options: {
    /** Managed objects not desired that are left for someone else to decide on. */
    keep?: (object: KubeObject) => boolean;
  } = {},
): Promise<SyncResult> {
  const result: SyncResult = {
    created: 0,
    updated: 0,
    deleted: 0,
    problems: [],
  };
  const attempt = async (
    object: KubeObject,
    write: () => Promise<void>,
    count: 'created' | 'updated' | 'deleted',
  ) => {
    try {
      await write();
      result[count]++;
    } catch (error) {
      const status = httpStatusOf(error);
      if (!status || status === 401) throw error;
      result.problems.push({
        object: objectKey(object),
        message: describeClusterError(error),
      });
    }
  };
  for (const { apiVersion, kind } of MANAGED_KINDS) {
    const actual = new Map(
      (await client.listManaged(apiVersion, kind)).map(o => [objectKey(o), o]),
    );
    for (const want of desired.filter(o => o.kind === kind)) {
      const have = actual.get(objectKey(want));
      actual.delete(objectKey(want));
      if (!have) {
        await attempt(want, () => client.create(want), 'created');
      } else if (
        !covers(have.spec, want.spec) ||
        !covers(have.metadata.labels ?? {}, want.metadata.labels ?? {})
      ) {
        const replacement = {
          ...want,
          metadata: {
            ...want.metadata,
            resourceVersion: have.metadata.resourceVersion,
          },
          status: have.status,
        };
        await attempt(want, () => client.replace(replacement), 'updated');
      }
    }
    for (const stale of actual.values()) {
      if (options.keep?.(stale)) continue;
      await attempt(stale, () => client.delete(stale), 'deleted');
    }
  }
  return result;
}
