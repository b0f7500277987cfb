/**
 * Portico node agent: the controller (address assignment behind a leader Lease)
 * and the speaker (L2 and BGP announcements), over one shared Kubernetes view.
 *
 * @packageDocumentation
 */

export { main } from './cli';
export { loadConfig, ConfigError, usage } from './config';
export type { AgentConfig } from './config';
export { createLogger, silentLogger } from './logging';
export type { Logger, LogLevel, LogFields } from './logging';

// The shared watch layer.
export { ClusterView } from './kube/clusterView';
export type { ClusterViewOptions, Kind } from './kube/clusterView';
export { Informer } from './kube/informer';
export type { InformerOptions } from './kube/informer';
export { buildSnapshot, slicesOf } from './kube/snapshot';
export type { ClusterSnapshot, RawCluster } from './kube/snapshot';
export { parseMetalLBConfig } from './kube/metallbConfig';
export type {
  BGPAdvertisementConfig,
  BGPPeerConfig,
  ConfigProblem,
  L2AdvertisementConfig,
  MetalLBConfig,
  MetalLBObjects,
  PoolConfig,
} from './kube/metallbConfig';
export { parseGrants, GRANT_API_VERSION } from './kube/grants';
export type { GrantInfo } from './kube/grants';
export { EventRecorder } from './kube/events';
export type { EventSink, EventType } from './kube/events';
export {
  parseAddress,
  parseAddressRange,
  formatAddress,
} from './kube/addresses';
export type { AddressRange, IPFamily, ParsedAddress } from './kube/addresses';
export { selectorMatches, anySelectorMatches } from './kube/labelSelector';
export { systemClock, abortableSleep } from './kube/clock';
export type { Clock } from './kube/clock';

// The controller role.
export { allocate } from './controller/allocator/assign';
export type { AllocationResult } from './controller/allocator/assign';
export type {
  AllocationInput,
  Decision,
  GovernanceMode,
  PendingReason,
  ServiceRequest,
} from './controller/allocator/types';
export {
  toServiceRequest,
  isOurLoadBalancer,
  DEFAULT_LOAD_BALANCER_CLASS,
} from './controller/serviceRequest';
export { planReconcile } from './controller/plan';
export type {
  ReconcilePlan,
  StatusWrite,
  EventIntent,
} from './controller/plan';
export { AddressController } from './controller/addressController';
export { KubeStatusWriter } from './controller/statusWriter';
export type { StatusWriter, GrantCondition } from './controller/statusWriter';
export { LeaderElector } from './controller/election/leaderElector';
export type {
  LeaseClient,
  StoredLease,
} from './controller/election/leaderElector';
export { KubeLeaseClient } from './controller/election/kubeLeaseClient';
export { runController } from './controller/runController';
export type { RoleContext } from './controller/runController';

// The speaker role's wiring.
export { speakerState } from './speaker/desiredState';
export type { SpeakerState } from './speaker/desiredState';
export { runSpeaker } from './speaker/runSpeaker';

// Health, readiness and metrics.
export { startHealthServer } from './server/healthServer';
export type { HealthChecks, HealthServer } from './server/healthServer';
export { ControllerMetrics } from './server/controllerMetrics';
