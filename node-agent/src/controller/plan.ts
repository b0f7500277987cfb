import type { V1Service } from '@kubernetes/client-node';
import { parseAddress } from '../kube/addresses';
import type { ConfigProblem } from '../kube/metallbConfig';
import { namespacedKey, ObjectRef } from '../kube/objectRef';
import type { ClusterSnapshot } from '../kube/snapshot';
import { allocate } from './allocator/assign';
import { poolFor } from './allocator/pools';
import type { Decision, GovernanceMode } from './allocator/types';
import {
  currentAddresses,
  DEPRECATED_PREFIX,
  deprecatedAnnotations,
  isOurLoadBalancer,
  POOL_ANNOTATION,
  PRIMARY_PREFIX,
  toServiceRequest,
} from './serviceRequest';

export interface StatusWrite {
  namespace: string;
  name: string;
  /** The new `status.loadBalancer.ingress` IPs; empty clears it. */
  addresses: string[];
}

/** `metallb.io/ip-allocated-from-pool` to set, or remove (null). */
export interface PoolAnnotationWrite {
  namespace: string;
  name: string;
  pool: string | null;
}

export interface EventIntent {
  ref: ObjectRef;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface PlanSummary {
  assigned: number;
  pending: Map<string, number>;
  /** Assigned in audit mode without a grant. */
  ungranted: number;
  inUseByPool: Map<string, number>;
}

export interface ReconcilePlan {
  writes: StatusWrite[];
  poolAnnotations: PoolAnnotationWrite[];
  events: EventIntent[];
  decisions: Map<string, Decision>;
  summary: PlanSummary;
  /** Earliest grant expiry still ahead, when a re-run is due without any change. */
  nextExpiryMs?: number;
}

export interface PlanOptions {
  mode: GovernanceMode;
  loadBalancerClass: string;
  /** Serve LoadBalancer Services without a class (default true). */
  serveClassless?: boolean;
  portalUrl?: string;
  now: Date;
}

function serviceRef(svc: V1Service): ObjectRef {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    namespace: svc.metadata?.namespace,
    name: svc.metadata?.name ?? '',
    uid: svc.metadata?.uid,
  };
}

function sameSet(a: string[], b: string[]): boolean {
  const norm = (xs: string[]) => xs.map(x => parseAddress(x)?.text ?? x).sort();
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

export function requestHint(portalUrl?: string): string {
  return portalUrl
    ? `Request exposure for it in the Portico portal (${portalUrl}); the address is written here once the request is approved.`
    : 'Request exposure for it in the Portico portal; the address is written here once the request is approved.';
}

/**
 * What the controller should do now: which Service statuses to write and which
 * Events to record. Pure; the controller applies the plan.
 */
export function planReconcile(
  snapshot: ClusterSnapshot,
  options: PlanOptions,
): ReconcilePlan {
  const ours = snapshot.services.filter(s =>
    isOurLoadBalancer(s, options.loadBalancerClass, options.serveClassless),
  );
  const { decisions, inUseByPool } = allocate({
    mode: options.mode,
    pools: snapshot.metallb.pools,
    services: ours.map(toServiceRequest),
    grants: snapshot.grants,
    namespaceLabels: snapshot.namespaceLabels,
    now: options.now,
  });

  const writes: StatusWrite[] = [];
  const poolAnnotations: PoolAnnotationWrite[] = [];
  const events: EventIntent[] = [];
  const annotatePool = (svc: V1Service, pool: string | null) => {
    const have = svc.metadata?.annotations?.[POOL_ANNOTATION];
    if ((have ?? null) === pool) return;
    poolAnnotations.push({
      namespace: svc.metadata?.namespace ?? 'default',
      name: svc.metadata?.name ?? '',
      pool,
    });
  };
  const summary: PlanSummary = {
    assigned: 0,
    pending: new Map(),
    ungranted: 0,
    inUseByPool,
  };

  for (const svc of ours) {
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const decision = decisions.get(namespacedKey(namespace, name));
    if (!decision) continue;
    const current = currentAddresses(svc);
    const ref = serviceRef(svc);
    const deprecated = deprecatedAnnotations(svc.metadata?.annotations ?? {});
    if (deprecated.length > 0) {
      events.push({
        ref,
        type: 'Warning',
        reason: 'DeprecatedAnnotation',
        message: `${deprecated.join(', ')} ${
          deprecated.length > 1 ? 'are' : 'is'
        } deprecated (still read): use ${deprecated
          .map(d => d.replace(DEPRECATED_PREFIX, PRIMARY_PREFIX))
          .join(', ')}`,
      });
    }
    annotatePool(svc, decision.state === 'assigned' ? decision.pool : null);
    if (decision.state === 'assigned') {
      summary.assigned++;
      if (!sameSet(current, decision.addresses)) {
        writes.push({ namespace, name, addresses: decision.addresses });
        events.push({
          ref,
          type: 'Normal',
          reason: 'AddressAssigned',
          message: `assigned ${decision.addresses.join(
            ', ',
          )} from IPAddressPool ${decision.pool}${
            decision.grant ? ` (ExposureGrant ${decision.grant})` : ''
          }`,
        });
      }
      if (!decision.grant) {
        summary.ungranted++;
        events.push({
          ref,
          type: 'Warning',
          reason: 'NotGranted',
          message: `audit mode: ${decision.addresses.join(
            ', ',
          )} is in use without an ExposureGrant; in enforce mode this Service would get no address. ${requestHint(
            options.portalUrl,
          )}`,
        });
      }
    } else {
      summary.pending.set(
        decision.reason,
        (summary.pending.get(decision.reason) ?? 0) + 1,
      );
      if (current.length > 0) {
        writes.push({ namespace, name, addresses: [] });
        events.push({
          ref,
          type: 'Warning',
          reason: 'AddressReleased',
          message: `removed ${current.join(', ')}: ${decision.message}`,
        });
      }
      events.push({
        ref,
        type: 'Warning',
        reason: decision.reason,
        message:
          decision.reason === 'NotGranted'
            ? `${decision.message}. ${requestHint(options.portalUrl)}`
            : decision.message,
      });
    }
  }

  // A Service that stopped being a LoadBalancer keeps no address of ours.
  for (const svc of snapshot.services) {
    if (svc.spec?.type === 'LoadBalancer' || svc.spec?.loadBalancerClass)
      continue;
    const current = currentAddresses(svc);
    const mine = current.some(ip => {
      const parsed = parseAddress(ip);
      return parsed && poolFor(snapshot.metallb.pools, parsed);
    });
    if (mine) {
      annotatePool(svc, null);
      writes.push({
        namespace: svc.metadata?.namespace ?? 'default',
        name: svc.metadata?.name ?? '',
        addresses: [],
      });
    }
  }

  events.push(...problemEvents(snapshot.problems));

  const now = options.now.getTime();
  const expiries = snapshot.grants
    .map(g => (g.expiresAt ? Date.parse(g.expiresAt) : NaN))
    .filter(t => !Number.isNaN(t) && t > now);
  return {
    writes,
    poolAnnotations,
    events,
    decisions,
    summary,
    nextExpiryMs: expiries.length > 0 ? Math.min(...expiries) : undefined,
  };
}

export function problemEvents(problems: ConfigProblem[]): EventIntent[] {
  return problems.map(p => ({
    ref: p.ref,
    type: 'Warning' as const,
    reason: 'InvalidConfiguration',
    message: `${p.message} (the rest of the configuration keeps working)`,
  }));
}
