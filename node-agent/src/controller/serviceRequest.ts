import type { V1Service } from '@kubernetes/client-node';
import type { IPFamily } from '../kube/addresses';
import { namespacedKey } from '../kube/objectRef';
import type { IPFamilyPolicy, ServiceRequest } from './allocator/types';

/**
 * MetalLB v0.16's annotation prefix, and the old one it still reads (and so do
 * we, with a deprecation Event).
 */
export const PRIMARY_PREFIX = 'metallb.io/';
export const DEPRECATED_PREFIX = 'metallb.universe.tf/';
const PREFIXES = [PRIMARY_PREFIX, DEPRECATED_PREFIX];

/** Written on assignment, as MetalLB's controller does: the pool the addresses came from. */
export const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

/** The ExposureGrant that last gave the Service its address (zero-outage enforce). */
export const GRANTED_ANNOTATION = 'portico.dev/granted-by';
/** When enforce first saw the Service's address in use without a grant. */
export const UNGRANTED_SINCE_ANNOTATION = 'portico.dev/ungranted-since';

/** Every annotation the controller writes (deploy/admission/services.yaml allows just these). */
export const CONTROLLER_ANNOTATIONS = [
  POOL_ANNOTATION,
  GRANTED_ANNOTATION,
  UNGRANTED_SINCE_ANNOTATION,
];

export const ANNOTATIONS = {
  pool: 'address-pool',
  ips: 'loadBalancerIPs',
  sharing: 'allow-shared-ip',
} as const;

/** Portico's `spec.loadBalancerClass`; Services without a class are ours too. */
export const DEFAULT_LOAD_BALANCER_CLASS = 'portico.dev/load-balancer';

/**
 * Whether the Service is a LoadBalancer Portico serves: one of our class, or
 * without a class unless `serveClassless` is off (when another implementation
 * owns the class-less ones).
 */
export function isOurLoadBalancer(
  svc: V1Service,
  loadBalancerClass: string,
  serveClassless = true,
): boolean {
  if (svc.spec?.type !== 'LoadBalancer') return false;
  const cls = svc.spec.loadBalancerClass;
  if (cls === undefined || cls === null || cls === '') return serveClassless;
  return cls === loadBalancerClass;
}

function annotation(
  annotations: Record<string, string>,
  name: string,
): { value?: string; error?: string } {
  const values = PREFIXES.map(p => annotations[p + name]).filter(
    (v): v is string => v !== undefined,
  );
  if (values.length === 2 && values[0].trim() !== values[1].trim()) {
    return {
      error: `annotations ${PREFIXES[0]}${name} and ${PREFIXES[1]}${name} disagree`,
    };
  }
  const value = values[0]?.trim();
  return { value: value === '' ? undefined : value };
}

/** The `metallb.universe.tf/*` annotations a Service still uses. */
export function deprecatedAnnotations(
  annotations: Record<string, string>,
): string[] {
  return Object.values(ANNOTATIONS)
    .map(name => DEPRECATED_PREFIX + name)
    .filter(key => annotations[key] !== undefined);
}

/** Reads what the allocator needs from a Service; never throws. */
export function toServiceRequest(svc: V1Service): ServiceRequest {
  const meta = svc.metadata ?? {};
  const namespace = meta.namespace ?? 'default';
  const name = meta.name ?? '';
  const annotations = meta.annotations ?? {};
  const errors: string[] = [];

  const pool = annotation(annotations, ANNOTATIONS.pool);
  const ips = annotation(annotations, ANNOTATIONS.ips);
  const sharing = annotation(annotations, ANNOTATIONS.sharing);
  for (const a of [pool, ips, sharing]) if (a.error) errors.push(a.error);

  let requestedIPs = (ips.value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '');
  const legacy = svc.spec?.loadBalancerIP?.trim();
  if (legacy) {
    if (requestedIPs.length > 0) {
      errors.push(
        'spec.loadBalancerIP and the loadBalancerIPs annotation are both set; use the annotation only',
      );
    }
    requestedIPs = [legacy];
  }

  const families = (svc.spec?.ipFamilies ?? []).filter(
    (f): f is IPFamily => f === 'IPv4' || f === 'IPv6',
  );
  const policy = svc.spec?.ipFamilyPolicy;
  const familyPolicy: IPFamilyPolicy =
    policy === 'PreferDualStack' || policy === 'RequireDualStack'
      ? policy
      : 'SingleStack';

  const backendKey =
    svc.spec?.externalTrafficPolicy === 'Local'
      ? JSON.stringify(Object.entries(svc.spec.selector ?? {}).sort())
      : undefined;

  const createdAt = meta.creationTimestamp as unknown;
  return {
    key: namespacedKey(namespace, name),
    namespace,
    name,
    createdAt:
      createdAt instanceof Date
        ? createdAt.toISOString()
        : String(createdAt ?? ''),
    labels: meta.labels ?? {},
    ports: (svc.spec?.ports ?? []).map(p => ({
      protocol: p.protocol ?? 'TCP',
      port: p.port,
    })),
    families,
    familyPolicy,
    pool: pool.value,
    requestedIPs,
    sharingKey: sharing.value,
    backendKey,
    current: currentAddresses(svc),
    invalid: errors.length > 0 ? errors.join('; ') : undefined,
    deprecatedAnnotations: deprecatedAnnotations(annotations),
  };
}

export function currentAddresses(svc: V1Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? [])
    .map(i => i.ip)
    .filter((ip): ip is string => typeof ip === 'string' && ip !== '');
}
