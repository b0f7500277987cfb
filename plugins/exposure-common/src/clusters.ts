/**
 * What `GET /api/exposure/clusters` returns: each cluster's reachability, the
 * LoadBalancer Services without a grant, drift, and each exposure's live state.
 */

export interface ClusterSyncResult {
  created: number;
  updated: number;
  deleted: number;
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
}

export interface UnmanagedService {
  cluster: string;
  namespace: string;
  name: string;
  addresses: string[];
}

export type DriftKind =
  | 'address-not-allocated'
  | 'grant-without-service'
  | 'address-on-two-clusters';

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
}

export interface ClusterReport {
  unmanaged: UnmanagedService[];
  drift: Drift[];
  exposures: ExposureLiveState[];
}

export interface ClustersView extends ClusterReport {
  clusters: ClusterStatus[];
}
