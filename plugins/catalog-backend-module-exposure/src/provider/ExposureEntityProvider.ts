import type { LoggerService } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { entitiesOf } from './entities';
import type { ExposureSnapshot } from './exposureApiReader';

export interface ExposureEntityProviderOptions {
  /** Reads the exposure API's current state. */
  read: (signal?: AbortSignal) => Promise<ExposureSnapshot>;
  logger: LoggerService;
  /** Owner of the pool Resources. */
  platformTeam: string;
  /** Time between two full mutations; changes in between go as deltas. */
  fullSyncIntervalMs: number;
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
      this.running = this.pass(signal).finally(() => {
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
    this.options.logger.info('exposure entities updated', {
      addedOrChanged: added.length,
      removed: removed.length,
    });
    return added.length + removed.length;
  }
}
