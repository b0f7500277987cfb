/**
 * What `GET /api/exposure/clusters` returns: each cluster's reachability, the
 * LoadBalancer Services without a grant, drift, and each exposure's live state.
 */

export interface ClusterSyncResult {
  created: number;
  updated: number;
  deleted: number;
}

/** Something one pass could not do in a cluster that otherwise answered. */
export interface ClusterProblem {
  /** `Kind/namespace/name` of the object concerned. */
  object: string;
  message: string;
}

export interface ClusterStatus {
  name: string;
  url: string;
  reachable: boolean;
  lastSyncAt?: string;
  lastError?: string;
  /** Consecutive failed attempts; the wait before the next one doubles with each. */
  failures: number;
  nextAttemptAt?: string;
  lastSync?: ClusterSyncResult;
  /**
   * What the last pass could not do while the cluster answered: writes refused
   * (a namespace it may not create, say), fields the cluster's CRDs do not hold,
   * grants matching no allocation that wait for removal. The rest was written.
   */
  problems?: ClusterProblem[];
}

export interface UnmanagedService {
  cluster: string;
  namespace: string;
  name: string;
  addresses: string[];
  /**
   * The node agent in enforce mode keeps these addresses (no grant) for a grace
   * period that started then (`portico.dev/ungranted-since`): adopt or request them.
   */
  ungrantedSince?: string;
}

export type DriftKind =
  | 'address-not-allocated'
  | 'grant-without-service'
  | 'address-on-two-clusters'
  | 'grant-not-allocated'
  | 'address-conflict';

export interface Drift {
  kind: DriftKind;
  cluster: string;
  address?: string;
  namespace?: string;
  name?: string;
  message: string;
}

export interface ExposureLiveState {
  requestId: string;
  cluster: string;
  namespace: string;
  serviceName: string;
  address: string;
  grant: string;
  /** `unknown` while the cluster cannot be read. */
  state: 'assigned' | 'pending' | 'unknown';
  /** The node agent's `Assigned` condition message, when it wrote one. */
  message?: string;
  /** Nodes whose speaker reports announcing the address. */
  announcedBy: string[];
  /** Another device answers for the address, as a node's speaker saw it. */
  conflicts?: Array<{
    node: string;
    address: string;
    mac: string;
    how: string;
    at: string;
  }>;
  /** BGP sessions of the nodes announcing the address by BGP. */
  bgpSessions?: Array<{
    node: string;
    peer: string;
    peerAddress: string;
    state: string;
    lastError?: string;
  }>;
}

export interface ClusterReport {
  unmanaged: UnmanagedService[];
  drift: Drift[];
  exposures: ExposureLiveState[];
}

export interface ClustersView extends ClusterReport {
  clusters: ClusterStatus[];
}
