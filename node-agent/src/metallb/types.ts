/**
 * The MetalLB custom resources the agent reads (metallb.io v1beta1 / v1beta2), and
 * Portico's own ExposureGrant (portico.dev/v1alpha1). Only the fields Portico
 * supports are typed; unknown fields are ignored, so existing manifests load as is.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** RFC 3339, set by the API server; orders conflicting objects oldest first. */
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

/** metallb.io/v1beta1 IPAddressPool */
export interface IPAddressPoolSpec {
  /** Ranges (`a-b`) or CIDRs, IPv4 or IPv6. */
  addresses: string[];
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  serviceAllocation?: {
    priority?: number;
    namespaces?: string[];
    namespaceSelectors?: LabelSelector[];
    serviceSelectors?: LabelSelector[];
  };
}

/** metallb.io/v1beta1 L2Advertisement */
export interface L2AdvertisementSpec {
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  serviceSelectors?: LabelSelector[];
  interfaces?: string[];
  preferredNodeSelectors?: Array<{ weight: number; preference: LabelSelector }>;
}

/** metallb.io/v1beta1 BGPAdvertisement */
export interface BGPAdvertisementSpec {
  aggregationLength?: number;
  aggregationLengthV6?: number;
  localPref?: number;
  /** `65000:100` form, or the name of a Community custom resource entry. */
  communities?: string[];
  /** Portico extension accepted alongside MetalLB's fields: `ASN:local1:local2`. */
  largeCommunities?: string[];
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  serviceSelectors?: LabelSelector[];
  peers?: string[];
  /** Refused by the agent (not supported). */
  asPathPrepend?: number;
}

/** metallb.io/v1beta2 BGPPeer (v1beta1 objects are served and stored the same). */
export interface BGPPeerSpec {
  myASN: number;
  peerASN: number;
  /** The ASN announced to this peer instead of myASN (FRR `local-as … no-prepend replace-as`). */
  localASN?: number;
  /** The name of a BFDProfile. */
  bfdProfile?: string;
  /** Read so they can be refused by name: the speaker does not implement them. */
  dynamicASN?: 'internal' | 'external';
  connectTime?: string;
  enableGracefulRestart?: boolean;
  vrf?: string;
  interface?: string;
  disableMP?: boolean;
  dualStackAddressFamily?: boolean;
  peerAddress: string;
  sourceAddress?: string;
  peerPort?: number;
  holdTime?: string;
  keepaliveTime?: string;
  routerID?: string;
  nodeSelectors?: LabelSelector[];
  password?: string;
  /** A `kubernetes.io/basic-auth` Secret in the MetalLB namespace; its `password` key. */
  passwordSecret?: { name?: string; namespace?: string };
  ebgpMultiHop?: boolean;
  /** Portico extension: wait for the peer to connect. */
  passive?: boolean;
}

/** portico.dev/v1alpha1 ExposureGrant (cluster-scoped), written only by the portal. */
export interface ExposureGrantSpec {
  service: { namespace: string; name: string };
  addresses: string[];
  pool: string;
  requestId: string;
  owner: string;
  /** RFC 3339; absent for exposures without expiry. */
  expiresAt?: string;
  allowSharedIP?: boolean;
}

export interface Resource<Spec, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type IPAddressPool = Resource<IPAddressPoolSpec>;
export type L2Advertisement = Resource<L2AdvertisementSpec>;
export type BGPAdvertisement = Resource<BGPAdvertisementSpec>;
export type BGPPeer = Resource<BGPPeerSpec>;
export type ExposureGrant = Resource<ExposureGrantSpec>;

/** metallb.io/v1beta1 Community: named communities BGPAdvertisements refer to. */
export interface CommunitySpec {
  communities?: Array<{ name: string; value: string }>;
}

/** metallb.io/v1beta1 BFDProfile; intervals in milliseconds. */
export interface BFDProfileSpec {
  receiveInterval?: number;
  transmitInterval?: number;
  detectMultiplier?: number;
  echoInterval?: number;
  echoMode?: boolean;
  passiveMode?: boolean;
  minimumTtl?: number;
}

/** IPAddressPool status as MetalLB's controller writes it. */
export interface IPAddressPoolStatus {
  assignedIPv4: number;
  assignedIPv6: number;
  availableIPv4: number;
  availableIPv6: number;
}
