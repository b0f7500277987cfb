import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type {
  ExposureChange,
  ExposureChangeListener,
} from '@portico/plugin-exposure-node';

/** Tells Backstage's auditor and the listeners of committed changes. */
export class ChangePublisher {
  private readonly listeners = new Set<ExposureChangeListener>();

  constructor(
    private readonly logger: LoggerService,
    private readonly auditor?: AuditorService,
  ) {}

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChange(listener: ExposureChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After commit; a failing listener does not stop the others. */
  publish(changes: ExposureChange[]): void {
    for (const change of changes) {
      void this.audit(change);
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          this.logger.warn('exposure change listener failed', {
            action: change.action,
            error: String(error),
          });
        }
      }
    }
  }

  private async audit(change: ExposureChange): Promise<void> {
    if (!this.auditor) return;
    try {
      const event = await this.auditor.createEvent({
        eventId: 'exposure-request',
        severityLevel: change.action === 'request.created' ? 'low' : 'medium',
        meta: {
          action: change.action,
          actor: change.actor,
          requestId: change.request.id,
          pool: change.request.pool,
          owner: change.request.owner,
          state: change.request.state,
          ...(change.request.address
            ? { address: change.request.address }
            : {}),
        },
      });
      await event.success();
    } catch (error) {
      this.logger.warn('could not send exposure audit event', {
        error: String(error),
      });
    }
  }
}
