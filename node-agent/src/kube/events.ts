import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Clock } from './clock';
import type { Logger } from '../logging';
import { describeRef, ObjectRef } from './objectRef';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  /** Records an Event on `ref`; identical ones are sent once per interval. */
  record(
    ref: ObjectRef,
    type: EventType,
    reason: string,
    message: string,
  ): void;
}

/**
 * Writes core/v1 Events, the ones `kubectl describe` shows. Like client-go's
 * recorder it is fire-and-forget (a failed Event is logged, never retried in a
 * loop) and it suppresses repeats, so a Service pending for an hour gets one
 * Event per `repeatAfterMs`, not one per reconcile.
 */
export class EventRecorder implements EventSink {
  private readonly core: CoreV1Api;
  private readonly sent = new Map<string, number>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: {
      component: string;
      instance: string;
      logger: Logger;
      clock: Clock;
      repeatAfterMs?: number;
    },
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  record(
    ref: ObjectRef,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    const { clock, logger } = this.options;
    const key = [
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
      type,
      reason,
      message,
    ].join('\u0000');
    const now = clock.now();
    const last = this.sent.get(key);
    if (
      last !== undefined &&
      now - last < (this.options.repeatAfterMs ?? 10 * 60_000)
    ) {
      return;
    }
    this.sent.set(key, now);
    this.prune(now);
    const log = type === 'Warning' ? logger.warn : logger.info;
    log(message, { event: reason, object: describeRef(ref) });
    // Cluster-scoped objects' Events go to `default`, as kubectl looks for them there.
    const namespace = ref.namespace ?? 'default';
    const stamp = new Date(now);
    const request = this.core
      .createNamespacedEvent({
        namespace,
        body: {
          metadata: {
            name: `${ref.name}.${now.toString(16)}${Math.floor(
              Math.random() * 0xfff,
            ).toString(16)}`,
            namespace,
          },
          involvedObject: {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            name: ref.name,
            namespace: ref.namespace,
            uid: ref.uid,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.options.component },
          reportingComponent: this.options.component,
          reportingInstance: this.options.instance,
          firstTimestamp: stamp,
          lastTimestamp: stamp,
          count: 1,
        },
      })
      .catch(error => {
        this.sent.delete(key);
        logger.warn('could not record Event', {
          object: describeRef(ref),
          reason,
          error: String(error?.message ?? error),
        });
      })
      .finally(() => this.inflight.delete(request));
    this.inflight.add(request);
  }

  /** Waits for the Events being written, so shutdown does not cut them off. */
  async flush(): Promise<void> {
    await Promise.all([...this.inflight]);
  }

  private prune(now: number) {
    if (this.sent.size < 10_000) return;
    for (const [key, at] of this.sent) {
      if (now - at > (this.options.repeatAfterMs ?? 10 * 60_000))
        this.sent.delete(key);
    }
  }
}
