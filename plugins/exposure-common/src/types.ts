import type { Intent, Protocol } from './schema/common';
import type { RequestState, ServicePort } from './schema/api';
import type { AdvertisementConfig, PoolPolicy } from './schema/config';

/** Counts of a pool, as decimal strings: an IPv6 /64 exceeds 2^53. */
export interface PoolCounts {
  total: string;
  allocated: string;
  reserved: string;
  free: string;
}

/** A pool as `GET /pools` returns it. */
export interface PoolSummary {
  name: string;
  description?: string;
  segment: string;
  vlan?: number;
  intent: Intent;
  family: 4 | 6;
  addresses: string[];
  advertisement: AdvertisementConfig;
  policy: PoolPolicy;
  clusters: string[];
  counts: PoolCounts;
}

/** A BGP peer as the API shows it (never the password). */
export interface BgpPeerSummary {
  address: string;
  asn: number;
  localAsn: number;
  port: number;
  holdTime: number;
  hasPassword: boolean;
  nodeSelector?: Record<string, string>;
}

export interface SegmentSummary {
  name: string;
  description?: string;
  cidrs: string[];
  vlan?: number;
  modes: ('l2' | 'bgp')[];
  bgpPeers: BgpPeerSummary[];
  reserved: string[];
  clusters: string[];
  pools: string[];
}

export type Verdict = 'allow' | 'needs-approval' | 'deny';

export type GuardrailReasonCode =
  | 'owner-not-allowed'
  | 'namespace-not-allowed'
  | 'cluster-not-on-segment'
  | 'port-not-allowed'
  | 'protocol-not-allowed'
  | 'quota-reached'
  | 'pool-exhausted'
  | 'lifetime-required'
  | 'lifetime-too-long'
  | 'expiry-in-past'
  | 'address-not-in-pool'
  | 'address-unavailable'
  | 'duplicate-request'
  | 'approval-required';

/** One reason behind a verdict, in words a requester can act on. */
export interface GuardrailReason {
  code: GuardrailReasonCode;
  verdict: Verdict;
  message: string;
}

export interface GuardrailResult {
  verdict: Verdict;
  reasons: GuardrailReason[];
}

export interface ExposureRequest {
  id: string;
  state: RequestState;
  requestedBy: string;
  entityRef: string;
  owner: string;
  cluster: string;
  namespace: string;
  serviceName: string;
  ports: ServicePort[];
  pool: string;
  segment: string;
  intent: Intent;
  requestedAddress?: string;
  address?: string;
  exposureKind: 'direct' | 'ingress' | 'gateway';
  justification: string;
  expiresAt?: string;
  /** The active request this one changes (see `replaces` of the create body). */
  replaces?: string;
  reasons: GuardrailReason[];
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  releasedBy?: string;
  releasedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** An address held by a request (the inventory view). */
export interface Allocation {
  requestId: string;
  segment: string;
  pool: string;
  address: string;
  owner: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  serviceName: string;
  ports: ServicePort[];
  shared: boolean;
  expiresAt?: string;
  allocatedAt: string;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  /** The first event that does not chain, when the chain is broken. */
  brokenAt?: number;
  reason?: string;
}

/** A row of the pool table export for firewall and security teams. */
export interface PoolExportRow {
  pool: string;
  range: string;
  segment: string;
  vlan: string;
  intent: Intent;
  riskClass: string;
  owners: string;
  total: string;
  allocated: string;
  reserved: string;
  free: string;
}

export type { Intent, Protocol, RequestState, ServicePort };

/**
 * Topic on Backstage's events service on which the exposure backend announces
 * each committed change; the payload is an `ExposureChangedEvent`.
 */
export const EXPOSURE_CHANGED_TOPIC = 'portico.exposure.changed';

/** What changed: enough for a listener to re-read only what it touched. */
export interface ExposureChangedEvent {
  action: string;
  requestId: string;
  state: string;
  pool: string;
  segment: string;
  /** The address the request holds or held, once it had one. */
  address?: string;
}
