import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  ExposureChangeListener,
  ExposureService,
} from './service/ExposureService';

/**
 * What modules of the exposure plugin (a cluster reconciler, say) can hook
 * into: every committed change, and the service once it is ready, to read
 * active allocations with `listActiveAllocations()`.
 */
export interface ExposureExtensionPoint {
  /** Called after each committed change (create, approve, release, expire). */
  addChangeListener(listener: ExposureChangeListener): void;
  /** Called once, when the service is ready; the signal aborts at shutdown. */
  onReady(
    callback: (service: ExposureService, signal: AbortSignal) => void,
  ): void;
}

export const exposureExtensionPoint =
  createExtensionPoint<ExposureExtensionPoint>({ id: 'exposure.changes' });
