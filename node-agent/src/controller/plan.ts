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
  GRANTED_ANNOTATION,
  isOurLoadBalancer,
  POOL_ANNOTATION,
  PRIMARY_PREFIX,
  toServiceRequest,
  UNGRANTED_SINCE_ANNOTATION,
} from './serviceRequest';

export interface StatusWrite {
  namespace: string;
  name: string;
  /** The new `status.loadBalancer.ingress` IPs; empty clears it. */
  addresses: string[];
}

/**
 * Annotations the controller keeps on a Service: `metallb.io/ip-allocated-from-pool`
 * and the zero-outage enforce markers; null removes one.
 */
export interface ServiceAnnotationWrite {
  namespace: string;
  name: string;
  annotations: Record<string, string | null>;
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
  /** Enforce mode: in use without a grant, kept for their grace period. */
  inGrace: number;
  inUseByPool: Map<string, number>;
}

export interface ReconcilePlan {
  writes: StatusWrite[];
  annotationWrites: ServiceAnnotationWrite[];
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
  /**
   * Zero-outage enforce: how long an address in use without a grant when enforce
   * began keeps working. Default 7 days.
   */
  enforceGraceMs?: number;
}

export const DEFAULT_ENFORCE_GRACE_MS = 7 * 24 * 3600_000;

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
  const graceMs = options.enforceGraceMs ?? DEFAULT_ENFORCE_GRACE_MS;
  const ungrantedSince = new Map<string, string>();
  const requests = ours.map(svc => {
    const request = toServiceRequest(svc);
    const annotations = svc.metadata?.annotations ?? {};
    // Never granted (a grant that was deleted leaves GRANTED_ANNOTATION behind):
    // the clock starts the first time enforce sees it, and survives restarts.
    if (
      options.mode === 'enforce' &&
      request.current.length > 0 &&
      !annotations[GRANTED_ANNOTATION]
    ) {
      const parsed = Date.parse(annotations[UNGRANTED_SINCE_ANNOTATION] ?? '');
      const since = Number.isNaN(parsed) ? options.now.getTime() : parsed;
      ungrantedSince.set(request.key, new Date(since).toISOString());
      request.graceUntil = new Date(since + graceMs).toISOString();
    }
    return request;
  });
  const { decisions, inUseByPool } = allocate({
    mode: options.mode,
    pools: snapshot.metallb.pools,
    services: requests,
    grants: snapshot.grants,
    namespaceLabels: snapshot.namespaceLabels,
    now: options.now,
  });

  const writes: StatusWrite[] = [];
  const annotationWrites: ServiceAnnotationWrite[] = [];
  const events: EventIntent[] = [];
  const annotate = (svc: V1Service, wanted: Record<string, string | null>) => {
    const have = svc.metadata?.annotations ?? {};
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([k, v]) => (have[k] ?? null) !== v),
    );
    if (Object.keys(changes).length === 0) return;
    annotationWrites.push({
      namespace: svc.metadata?.namespace ?? 'default',
      name: svc.metadata?.name ?? '',
      annotations: changes,
    });
  };
  const summary: PlanSummary = {
    assigned: 0,
    pending: new Map(),
    ungranted: 0,
    inGrace: 0,
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
    const key = namespacedKey(namespace, name);
    if (decision.state === 'assigned') {
      annotate(svc, {
        [POOL_ANNOTATION]: decision.pool,
        ...(decision.grant
          ? {
              [GRANTED_ANNOTATION]: decision.grant,
              [UNGRANTED_SINCE_ANNOTATION]: null,
            }
          : {}),
        ...(decision.graceUntil
          ? { [UNGRANTED_SINCE_ANNOTATION]: ungrantedSince.get(key)! }
          : {}),
      });
    } else {
      annotate(svc, {
        [POOL_ANNOTATION]: null,
        [GRANTED_ANNOTATION]: null,
        [UNGRANTED_SINCE_ANNOTATION]: null,
      });
    }
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
      if (decision.graceUntil) {
        summary.inGrace++;
        events.push({
          ref,
          type: 'Warning',
          reason: 'UngrantedGracePeriod',
          message: `enforce mode: ${decision.addresses.join(
            ', ',
          )} has been in use without an ExposureGrant since ${ungrantedSince.get(
            key,
          )}; it keeps working until ${
            decision.graceUntil
          } (grace period), then it is removed. ${requestHint(
            options.portalUrl,
          )}`,
        });
      } else if (!decision.grant) {
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
      annotate(svc, {
        [POOL_ANNOTATION]: null,
        [GRANTED_ANNOTATION]: null,
        [UNGRANTED_SINCE_ANNOTATION]: null,
      });
      writes.push({
        namespace: svc.metadata?.namespace ?? 'default',
        name: svc.metadata?.name ?? '',
        addresses: [],
      });
    }
  }

  events.push(...problemEvents(snapshot.problems));

  const now = options.now.getTime();
  const expiries = [
    ...snapshot.grants.map(g => (g.expiresAt ? Date.parse(g.expiresAt) : NaN)),
    ...[...decisions.values()].map(d =>
      d.state === 'assigned' && d.graceUntil ? Date.parse(d.graceUntil) : NaN,
    ),
  ].filter(t => !Number.isNaN(t) && t > now);
  return {
    writes,
    annotationWrites,
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
