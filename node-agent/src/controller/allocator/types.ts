import type { IPFamily } from '../../kube/addresses';
import type { GrantInfo } from '../../kube/grants';
import type { PoolConfig } from '../../kube/metallbConfig';

export type { GrantInfo };

/**
 * `enforce`: a Service gets addresses only from an ExposureGrant.
 * `audit`: assign like MetalLB, and report the Services no grant covers.
 */
export type GovernanceMode = 'enforce' | 'audit';

export type IPFamilyPolicy =
  | 'SingleStack'
  | 'PreferDualStack'
  | 'RequireDualStack';

export interface ServicePort {
  protocol: string;
  port: number;
}

/** What the allocator needs to know about one LoadBalancer Service of our class. */
export interface ServiceRequest {
  /** `namespace/name` */
  key: string;
  namespace: string;
  name: string;
  /** RFC 3339; older Services win conflicts. */
  createdAt: string;
  labels: Record<string, string>;
  ports: ServicePort[];
  /** `spec.ipFamilies`, in order; empty when the API server did not fill it. */
  families: IPFamily[];
  familyPolicy: IPFamilyPolicy;
  /** `metallb.io/address-pool` (or the deprecated `metallb.universe.tf/`). */
  pool?: string;
  /** `metallb.io/loadBalancerIPs`, or the deprecated `spec.loadBalancerIP`. */
  requestedIPs: string[];
  /** `metallb.io/allow-shared-ip` */
  sharingKey?: string;
  /**
   * Services with `externalTrafficPolicy: Local` may share an address only with
   * Services selecting the same pods (MetalLB's "backend key").
   */
  backendKey?: string;
  /** Addresses currently in `status.loadBalancer.ingress`. */
  current: string[];
  /** Set when the Service's annotations cannot be understood. */
  invalid?: string;
  /** `metallb.universe.tf/*` annotations in use (read, but deprecated). */
  deprecatedAnnotations?: string[];
  /**
   * Zero-outage enforce: the Service held `current` without a grant when enforce
   * began, and keeps it until this instant (RFC 3339) unless a grant arrives.
   */
  graceUntil?: string;
}

export interface AllocationInput {
  mode: GovernanceMode;
  pools: Map<string, PoolConfig>;
  services: ServiceRequest[];
  grants: GrantInfo[];
  /** Namespace name → labels, for `serviceAllocation.namespaceSelectors`. */
  namespaceLabels: Map<string, Record<string, string>>;
  now: Date;
}

export type PendingReason =
  | 'NotGranted'
  | 'GrantInvalid'
  | 'GrantExpired'
  | 'GrantMismatch'
  | 'InvalidRequest'
  | 'UnknownPool'
  | 'PoolNotAllowed'
  | 'AddressNotInPool'
  | 'AddressInUse'
  | 'NoAddressAvailable';

export type Decision =
  | {
      state: 'assigned';
      addresses: string[];
      pool: string;
      /** The grant that covers it; undefined for `audit`-mode assignments without one. */
      grant?: string;
      /** Enforce mode without a grant: kept until then (RFC 3339), then removed. */
      graceUntil?: string;
    }
  | {
      state: 'pending';
      reason: PendingReason;
      message: string;
    };
