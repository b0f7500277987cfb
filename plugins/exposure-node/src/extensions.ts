import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  Allocation,
  ExposureRequest,
  ServicePort,
} from '@portico/plugin-exposure-common';

/** A committed change, for listeners such as a cluster reconciler. */
export interface ExposureChange {
  action: string;
  actor: string;
  request: ExposureRequest;
}

export type ExposureChangeListener = (change: ExposureChange) => void;

/** An address a cluster already uses, to record as an active allocation. */
export interface AdoptionItem {
  cluster: string;
  namespace: string;
  serviceName: string;
  address: string;
  pool: string;
  owner: string;
  entityRef?: string;
  ports: ServicePort[];
}

export type AdoptionOutcome = AdoptionItem &
  ({ requestId: string } | { error: string });

/** What a module may read of the exposure plugin's state. */
export interface ExposureAllocationSource {
  /** Every allocation currently held, across all pools. */
  listActiveAllocations(): Promise<Allocation[]>;
  /**
   * Records addresses in use as active allocations, each with the audit action
   * `adopted`, in one transaction; an address held meanwhile is skipped.
   */
  adoptAllocations?(
    actor: string,
    items: AdoptionItem[],
  ): Promise<AdoptionOutcome[]>;
}

/**
 * What modules of the exposure plugin (a cluster reconciler, say) can hook
 * into: every committed change, and the plugin's state once it is ready.
 */
export interface ExposureExtensionPoint {
  /** Called after each committed change (create, approve, release, expire). */
  addChangeListener(listener: ExposureChangeListener): void;
  /** Called once, when the plugin is ready; the signal aborts at shutdown. */
  onReady(
    callback: (source: ExposureAllocationSource, signal: AbortSignal) => void,
  ): void;
}

export const exposureExtensionPoint =
  createExtensionPoint<ExposureExtensionPoint>({ id: 'exposure.changes' });
