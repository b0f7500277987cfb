import {
  ADD,
  CONNECT,
  DELETE,
  ERROR,
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  ListWatch,
  UPDATE,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from '../logging';
import { Backoff } from './backoff';

export interface InformerOptions<T extends KubernetesObject> {
  /** Short name for logs and metrics, e.g. `services`. */
  name: string;
  /** Collection path the watch streams, e.g. `/api/v1/services`. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Called after every change to the cached objects. */
  onChange: () => void;
  /**
   * Shrinks each object before it is cached (listed or watched); the result must
   * keep `metadata.name`, `namespace` and `resourceVersion`.
   */
  transform?: (obj: T) => T;
  backoff?: Backoff;
}

/** A Watch that hands the cache transformed objects, so it never holds the originals. */
class TransformingWatch<T> extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    private readonly transform: (obj: T) => T,
  ) {
    super(kubeConfig);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj, watchObj) =>
        callback(
          phase,
          phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED'
            ? this.transform(obj)
            : obj,
          watchObj,
        ),
      done,
    );
  }
}

function statusOf(error: any): number | undefined {
  return error?.code ?? error?.statusCode ?? error?.response?.statusCode;
}

/**
 * A cache of one kind kept current by list + watch. The protocol work is
 * @kubernetes/client-node's `ListWatch`: it resumes a dropped watch from the last
 * `resourceVersion` and lists afresh after `410 Gone`. This adds what it leaves to
 * the caller: retries with backoff after errors (it stops on any other error),
 * knowing when the first list has landed, and stopping on an AbortSignal.
 */
export class Informer<T extends KubernetesObject> {
  private readonly listWatch: ListWatch<T>;
  private readonly backoff: Backoff;
  private synced = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly options: InformerOptions<T>) {
    this.backoff = options.backoff ?? new Backoff(500, 30_000);
    const transform = options.transform;
    const list = async () => {
      try {
        const listed = await options.list();
        const result = transform
          ? { ...listed, items: listed.items.map(transform) }
          : listed;
        this.markSynced();
        return result;
      } catch (error) {
        if (statusOf(error) === 404) {
          // The kind is not installed (CRD missing). Serve it as empty so the
          // other kinds are usable, and keep retrying.
          options.logger.warn(
            'kind not served by the API server; treating as empty',
            {
              informer: options.name,
              path: options.path,
            },
          );
          this.markSynced();
        }
        throw error;
      }
    };
    this.listWatch = new ListWatch<T>(
      options.path,
      transform
        ? new TransformingWatch(options.kubeConfig, transform)
        : new Watch(options.kubeConfig),
      list,
      false,
    );
    const changed = () => {
      this.backoff.reset();
      options.onChange();
    };
    this.listWatch.on(ADD, changed);
    this.listWatch.on(UPDATE, changed);
    this.listWatch.on(DELETE, changed);
    this.listWatch.on(CONNECT, () =>
      options.logger.debug('watch (re)connecting', { informer: options.name }),
    );
    this.listWatch.on(ERROR, error => this.failed(error));
  }

  start(signal: AbortSignal): void {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.stop(), { once: true });
    this.launch();
  }

  list(): T[] {
    return [...this.listWatch.list()];
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been received (or the signal aborts). */
  whenSynced(signal: AbortSignal): Promise<void> {
    if (this.synced || signal.aborted) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.syncWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private launch() {
    this.listWatch.start().catch(error => this.failed(error));
  }

  private markSynced() {
    this.backoff.reset();
    if (this.synced) return;
    this.synced = true;
    this.options.onChange();
    this.syncWaiters.splice(0).forEach(w => w());
  }

  private failed(error: unknown) {
    if (this.stopped || this.retry) return;
    const delay = this.backoff.next();
    const status = statusOf(error);
    this.options.logger.warn('list/watch failed; retrying', {
      informer: this.options.name,
      status,
      error: String((error as Error)?.message ?? error),
      retryInMs: delay,
    });
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.launch();
    }, delay);
  }

  private stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.listWatch.stop().catch(() => {});
    this.syncWaiters.splice(0).forEach(w => w());
  }
}
