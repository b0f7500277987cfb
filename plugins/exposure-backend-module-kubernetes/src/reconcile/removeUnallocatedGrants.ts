import type { AuditorService } from '@backstage/backend-plugin-api';
import type { ClusterProblem } from '@portico/plugin-exposure-common';
import type { KubeObject } from '../render/kubeObject';
import { objectKey } from '../render/kubeObject';
import { describeClusterError } from '../kube/describeClusterError';
import { httpStatusOf } from '../kube/ClusterClient';
import type { GrantReview } from './unallocatedGrants';

export interface GrantRemovalClient {
  delete(object: KubeObject, options?: { uid?: string }): Promise<void>;
  recordEvent(
    about: KubeObject,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  ): Promise<void>;
}

interface GrantSpec {
  service?: { namespace?: string; name?: string };
  addresses?: string[];
  pool?: string;
  requestId?: string;
  owner?: string;
}

const describeGrant = (grant: KubeObject) => {
  const spec = (grant.spec ?? {}) as GrantSpec;
  return `ExposureGrant ${grant.metadata.name} (${(spec.addresses ?? []).join(
    ', ',
  )} for ${spec.service?.namespace}/${spec.service?.name}, request ${
    spec.requestId ?? 'none'
  })`;
};

/**
 * Acts on a review of the cluster's grants: an Event on each grant first found
 * without an allocation, and for each one past its grace period a delete (of that
 * very object), an Event and an audit entry. Returns the grants removed and what
 * is left to report. A refusal is reported, never thrown: the pass goes on.
 */
export async function removeUnallocatedGrants(options: {
  cluster: string;
  client: GrantRemovalClient;
  review: GrantReview;
  auditor?: AuditorService;
}): Promise<{ removed: KubeObject[]; problems: ClusterProblem[] }> {
  const { cluster, client, review, auditor } = options;
  const problems: ClusterProblem[] = [];
  const removed: KubeObject[] = [];
  const event = async (grant: KubeObject, reason: string, message: string) => {
    try {
      await client.recordEvent(grant, { type: 'Warning', reason, message });
    } catch (error) {
      if (!httpStatusOf(error)) throw error;
      problems.push({
        object: objectKey(grant),
        message: `cannot record the ${reason} Event: ${describeClusterError(
          error,
        )}`,
      });
    }
  };

  for (const entry of review.found) {
    if (review.due.includes(entry)) continue; // removed below: one Event is enough
    const { grant, removeAt } = entry;
    await event(
      grant,
      'UnallocatedGrant',
      `${describeGrant(
        grant,
      )} matches no active allocation of the Portico portal; it is removed at ${new Date(
        removeAt,
      ).toISOString()} unless one appears. Request exposure in the portal instead.`,
    );
  }
  for (const { grant } of review.waiting) {
    problems.push({
      object: objectKey(grant),
      message: `${describeGrant(
        grant,
      )} matches no active allocation; removed after the grace period`,
    });
  }
  for (const { grant, firstSeen } of review.due) {
    const uid = (grant.metadata as { uid?: string }).uid;
    try {
      await client.delete(grant, { uid });
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404 || status === 409) continue; // already gone or replaced
      if (!status) throw error;
      problems.push({
        object: objectKey(grant),
        message: `cannot remove a grant without allocation: ${describeClusterError(
          error,
        )}`,
      });
      continue;
    }
    removed.push(grant);
    await event(
      grant,
      'UnallocatedGrantRemoved',
      `${describeGrant(
        grant,
      )} matched no active allocation of the Portico portal since ${new Date(
        firstSeen,
      ).toISOString()} and was removed`,
    );
    try {
      await audit(auditor, cluster, grant, firstSeen);
    } catch (error) {
      problems.push({
        object: objectKey(grant),
        message: `removed, but the audit entry failed: ${String(error)}`,
      });
    }
  }
  return { removed, problems };
}

async function audit(
  auditor: AuditorService | undefined,
  cluster: string,
  grant: KubeObject,
  firstSeen: number,
): Promise<void> {
  if (!auditor) return;
  const spec = (grant.spec ?? {}) as GrantSpec;
  const entry = await auditor.createEvent({
    eventId: 'exposure-grant-removed',
    severityLevel: 'high',
    meta: {
      reason: 'no active allocation',
      cluster,
      grant: grant.metadata.name,
      addresses: spec.addresses ?? [],
      service: `${spec.service?.namespace}/${spec.service?.name}`,
      pool: spec.pool,
      requestId: spec.requestId,
      owner: spec.owner,
      unallocatedSince: new Date(firstSeen).toISOString(),
    },
  });
  await entry.success();
}
