import type { LoggerService } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { ExposureChangedEvent } from '@portico/plugin-exposure-common';
import { entitiesOf, vipEntityName } from './entities';
import type { ExposureSnapshot } from './exposureApiReader';

export interface ExposureEntityProviderOptions {
  /** Reads the exposure API's current state. */
  read: (signal?: AbortSignal) => Promise<ExposureSnapshot>;
  logger: LoggerService;
  /** Owner of the pool Resources. */
  platformTeam: string;
  /**
   * Reads every pool and the allocations of these addresses only: what an
   * announced change needs. Without it, a change reads everything.
   */
  readAddresses?: (
    addresses: string[],
    signal?: AbortSignal,
  ) => Promise<ExposureSnapshot>;
  /** Time between two full mutations; changes in between go as deltas. */
  fullSyncIntervalMs: number;
  /** How long announced changes gather before one delta pass (100 ms). */
  debounceMs?: number;
  now?: () => number;
}

/**
 * Keeps `ip-pool` and `vip` Resources in step with the exposure backend.
 * Each `refresh()` reads the exposure API and sends the catalog only what
 * changed (a delta), with a full mutation at start and now and then so
 * anything missed heals.
 */
export class ExposureEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** What the catalog holds from us: entity ref → serialized entity. */
  private sent?: Map<string, string>;
  private lastFullAt = 0;
  private readonly now: () => number;
  /** The pass in flight, and whether another was asked for meanwhile. */
  private running?: Promise<number>;
  private queued?: Promise<number>;
  private readonly starters: (() => Promise<void>)[] = [];
  /** Full and delta passes run one at a time, in call order. */
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Addresses announced since the last delta pass, by pool. */
  private touched = new Map<string, { pool: string; address: string }>();
  private debounce?: ReturnType<typeof setTimeout>;
  /** The delta pass the gathered addresses wait for. */
  private pendingDelta?: Promise<number>;

  constructor(private readonly options: ExposureEntityProviderOptions) {
    this.now = options.now ?? Date.now;
  }

  getProviderName(): string {
    return 'portico-exposure';
  }

  /** Runs `start` once the catalog connected the provider. */
  onConnect(start: () => Promise<void>): void {
    this.starters.push(start);
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    for (const start of this.starters) {
      await start();
    }
  }

  /**
   * One pass; returns how many entities were added, changed or removed.
   * Passes never overlap (the scheduler and change events both call this):
   * calls during a pass share one more pass after it.
   */
  refresh(signal?: AbortSignal): Promise<number> {
    if (!this.running) {
      this.running = this.run(() => this.pass(signal)).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => 0)
        .then(() => {
          this.queued = undefined;
          return this.refresh(signal);
        });
    }
    return this.queued;
  }

  /**
   * Takes an announced change: its address is re-read with the others that
   * arrive within the debounce time, in one delta pass. Resolves after that
   * pass with how many entities it sent.
   */
  changed(
    event: Pick<ExposureChangedEvent, 'pool' | 'address'>,
    signal?: AbortSignal,
  ): Promise<number> {
    if (!event.address) {
      // No address yet (a pending request): nothing in the catalog moved.
      return Promise.resolve(0);
    }
    this.touched.set(`${event.pool}\u0000${event.address}`, {
      pool: event.pool,
      address: event.address,
    });
    if (!this.debounce) {
      this.pendingDelta = new Promise<number>((resolve, reject) => {
        this.debounce = setTimeout(() => {
          this.debounce = undefined;
          const touched = [...this.touched.values()];
          this.touched = new Map();
          this.run(() => this.deltaPass(touched, signal)).then(resolve, reject);
        }, this.options.debounceMs ?? 100);
      });
    }
    return this.pendingDelta!;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.exclusive.catch(() => undefined).then(fn);
    this.exclusive = result;
    return result;
  }

  private async deltaPass(
    touched: { pool: string; address: string }[],
    signal?: AbortSignal,
  ): Promise<number> {
    const connection = this.connection;
    const sent = this.sent;
    if (!connection || !sent || !this.options.readAddresses) {
      // Nothing sent yet, or no way to read a part: a whole pass instead.
      return this.pass(signal);
    }
    const snapshot = await this.options.readAddresses(
      [...new Set(touched.map(t => t.address))],
      signal,
    );
    const entities = entitiesOf(snapshot, this.options.platformTeam);
    const current = new Map(
      entities.map(e => [stringifyEntityRef(e), JSON.stringify(e)]),
    );
    const added = entities.filter(
      e =>
        sent.get(stringifyEntityRef(e)) !== current.get(stringifyEntityRef(e)),
    );
    const removed = touched
      .map(t =>
        stringifyEntityRef({
          kind: 'Resource',
          namespace: 'default',
          name: vipEntityName(t.pool, t.address),
        }),
      )
      .filter(ref => !current.has(ref) && sent.has(ref));
    if (added.length === 0 && removed.length === 0) return 0;
    // If the catalog refuses, the next pass is full.
    this.sent = undefined;
    await connection.applyMutation({
      type: 'delta',
      added: added.map(entity => ({ entity })),
      removed: removed.map(entityRef => ({ entityRef })),
    });
    for (const [ref, serialized] of current) sent.set(ref, serialized);
    for (const ref of removed) sent.delete(ref);
    this.sent = sent;
    return added.length + removed.length;
  }

  private async pass(signal?: AbortSignal): Promise<number> {
    const connection = this.connection;
    if (!connection) {
      throw new Error('ExposureEntityProvider is not connected to the catalog');
    }
    const snapshot = await this.options.read(signal);
    const entities = entitiesOf(snapshot, this.options.platformTeam);
    const current = new Map(
      entities.map(e => [stringifyEntityRef(e), JSON.stringify(e)]),
    );

    const full =
      this.sent === undefined ||
      this.now() - this.lastFullAt >= this.options.fullSyncIntervalMs;
    if (full) {
      // Forget what was sent first: if the catalog refuses, the next pass
      // is full again.
      this.sent = undefined;
      await connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({ entity })),
      });
      this.sent = current;
      this.lastFullAt = this.now();
      return entities.length;
    }

    const sent = this.sent!;
    const added: Entity[] = entities.filter(
      e =>
        sent.get(stringifyEntityRef(e)) !== current.get(stringifyEntityRef(e)),
    );
    const removed = [...sent.keys()].filter(ref => !current.has(ref));
    if (added.length === 0 && removed.length === 0) {
      return 0;
    }
    this.sent = undefined;
    await connection.applyMutation({
      type: 'delta',
      added: added.map(entity => ({ entity })),
      removed: removed.map(entityRef => ({ entityRef })),
    });
    this.sent = current;
    this.options.logger.debug('exposure entities updated', {
      addedOrChanged: added.length,
      removed: removed.length,
    });
    return added.length + removed.length;
  }
}
