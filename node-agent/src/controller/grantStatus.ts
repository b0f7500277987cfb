import type { GrantInfo } from '../kube/grants';
import type { Decision } from './allocator/types';
import type { GrantCondition } from './statusWriter';

/**
 * The `Assigned` condition each grant should carry: whether the Service it covers
 * holds the granted address, and if not, why. The portal reads it to show each
 * exposure's live state. Returns only the grants whose condition must change.
 */
export function grantConditionUpdates(
  grants: GrantInfo[],
  decisions: Map<string, Decision>,
  now: Date,
): Array<{ grant: string; condition: GrantCondition }> {
  const out: Array<{ grant: string; condition: GrantCondition }> = [];
  for (const grant of grants) {
    const d = decisions.get(grant.serviceKey);
    let status: GrantCondition['status'];
    let reason: string;
    let message: string;
    if (!d) {
      status = 'False';
      reason = 'ServiceNotFound';
      message = `no LoadBalancer Service ${grant.serviceKey} of Portico's class`;
    } else if (d.state === 'assigned' && d.grant === grant.name) {
      status = 'True';
      reason = 'AddressAssigned';
      message = `Service ${grant.serviceKey} holds ${d.addresses.join(', ')}`;
    } else if (d.state === 'assigned') {
      status = 'False';
      reason = 'SupersededByAnotherGrant';
      message = `Service ${grant.serviceKey} holds ${d.addresses.join(
        ', ',
      )} through ExposureGrant ${d.grant ?? '(none)'}`;
    } else {
      status = 'False';
      reason = d.reason;
      message = d.message;
    }
    const current = grant.assigned;
    if (
      current?.status === status &&
      current.reason === reason &&
      current.message === message
    ) {
      continue;
    }
    out.push({
      grant: grant.name,
      condition: {
        type: 'Assigned',
        status,
        reason,
        message,
        lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        observedGeneration: grant.generation,
      },
    });
  }
  return out;
}
