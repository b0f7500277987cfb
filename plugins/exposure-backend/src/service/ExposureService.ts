import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  Allocation,
  CreateRequestBody,
  ExposureConfig,
  ExposureRequest,
  GuardrailResult,
  GuardrailUsage,
  PoolSummary,
  SegmentSummary,
  evaluateGuardrails,
  parseAddress,
} from '@portico/plugin-exposure-common';
import type {
  AdoptionItem,
  AdoptionOutcome,
  ExposureChange,
  ExposureChangeListener,
} from '@portico/plugin-exposure-node';
import { adoptInTransaction } from './adoptAllocations';
import { PoolEntry, allocateAddress } from './allocateAddress';
import { ChangePublisher } from './changePublisher';
import { newRequest } from './newRequest';
import { resolvePool } from './resolvePool';
import { AllocationCursors } from './allocationCursors';
import { findReplay, hashRequestBody, rememberKey } from './idempotency';
import { assertNotDenied, withDuplicateReason } from './verdicts';
import { measureUsage, poolSummary, segmentSummaries } from './poolUsage';
import {
  assertNoDuplicate,
  checkOpenRequests,
  serviceLockKey,
  submitLockKeys,
} from './openRequests';
import { PoolLayout } from '../allocator/PoolLayout';
import {
  ExposureStore,
  ExposureStoreTransaction,
} from '../database/ExposureStore';
import { assertTransition } from './requestStateMachine';

/** The actor of automatic decisions and expiry. */
export const SYSTEM_ACTOR = 'system:portico';

/**
 * The exposure workflow: guardrails, the request state machine, allocation
 * and the audit chain, each change in one transaction of the store.
 */
export class ExposureService {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly publisher: ChangePublisher;
  private readonly now: () => Date;
  private readonly cursors = new AllocationCursors();

  constructor(
    private readonly options: {
      store: ExposureStore;
      config: ExposureConfig;
      logger: LoggerService;
      auditor?: AuditorService;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
    this.publisher = new ChangePublisher(options.logger, options.auditor);
    const segments = new Map(options.config.segments.map(s => [s.name, s]));
    for (const pool of options.config.pools) {
      const segment = segments.get(pool.segment)!;
      this.pools.set(pool.name, {
        pool,
        segment,
        layout: new PoolLayout(pool, segment),
      });
    }
  }

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChange(listener: ExposureChangeListener): () => void {
    return this.publisher.onChange(listener);
  }

  get store(): ExposureStore {
    return this.options.store;
  }

  listSegments(): SegmentSummary[] {
    return segmentSummaries(this.options.config);
  }

  async listPools(): Promise<PoolSummary[]> {
    const leased = await this.options.store.countLeasesByPool();
    return [...this.pools.values()].map(entry =>
      poolSummary(entry, leased.get(entry.pool.name) ?? 0n),
    );
  }

  async getPool(name: string): Promise<PoolSummary> {
    const summary = (await this.listPools()).find(p => p.name === name);
    if (!summary) throw new NotFoundError(`no pool named "${name}"`);
    return summary;
  }

  private evaluate(
    entry: PoolEntry,
    body: CreateRequestBody,
    usage: GuardrailUsage,
  ): GuardrailResult {
    return evaluateGuardrails({
      request: body,
      pool: entry.pool,
      segment: entry.segment,
      usage,
      now: this.now(),
      maxLifetimeHours: this.options.config.expiry.maxLifetimeDays * 24,
    });
  }

  /** The verdict a request would get now, without storing anything. */
  async dryRun(
    body: CreateRequestBody,
  ): Promise<GuardrailResult & { pool: string }> {
    const entry = resolvePool(this.pools, body);
    const result = await this.options.store.read(async tx => {
      const { replaced, duplicateOf } = await checkOpenRequests(tx, body);
      const verdict = this.evaluate(
        entry,
        body,
        await measureUsage(tx, entry, body, replaced),
      );
      return withDuplicateReason(verdict, duplicateOf);
    });
    return { pool: entry.pool.name, ...result };
  }

  /**
   * Stores a request. Denied: nothing is stored and the error carries every
   * reason (409 when the pool is exhausted, 403 otherwise). Allowed: approved
   * and activated at once. Needs approval: stays pending. A second open
   * request for the same Service is refused (409) unless it `replaces` the
   * active one. With an idempotency key, a retry by the same actor gets the
   * request the key first created (`replayed`), never a second one.
   */
  async submitRequest(
    actor: string,
    body: CreateRequestBody,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ request: ExposureRequest; replayed: boolean }> {
    const entry = resolvePool(this.pools, body);
    const { idempotencyKey } = options;
    const bodyHash = hashRequestBody(body);
    const outcome = await this.write(async (tx, changes) => {
      await tx.lock(submitLockKeys(actor, body, entry, idempotencyKey));
      const replay = await findReplay(tx, actor, idempotencyKey, bodyHash);
      if (replay) {
        return { request: await this.mustGet(tx, replay), replayed: true };
      }
      const replaced = await assertNoDuplicate(tx, body);
      const verdict = this.evaluate(
        entry,
        body,
        await measureUsage(tx, entry, body, replaced),
      );
      assertNotDenied(verdict);
      const at = this.now().toISOString();
      let current = newRequest(actor, body, entry, verdict, at);
      await tx.insertRequest(current);
      if (idempotencyKey !== undefined) {
        await rememberKey(tx, {
          actor,
          key: idempotencyKey,
          bodyHash,
          requestId: current.id,
          createdAtMs: this.now().getTime(),
        });
      }
      await this.record(
        tx,
        changes,
        actor,
        'request.created',
        undefined,
        current,
      );
      if (verdict.verdict === 'allow') {
        current = await this.transition(
          tx,
          changes,
          current,
          'approved',
          SYSTEM_ACTOR,
          {
            decidedBy: SYSTEM_ACTOR,
            decidedAt: at,
            decisionComment: `pool "${entry.pool.name}" approves automatically`,
          },
        );
        current = await this.activate(tx, changes, current, entry);
      }
      return { request: current, replayed: false };
    });
    return outcome;
  }

  async createRequest(
    actor: string,
    body: CreateRequestBody,
  ): Promise<ExposureRequest> {
    return (await this.submitRequest(actor, body)).request;
  }

  async approve(
    actor: string,
    id: string,
    comment: string,
  ): Promise<ExposureRequest> {
    return this.decide(actor, id, 'approved', comment);
  }

  async reject(
    actor: string,
    id: string,
    comment: string,
  ): Promise<ExposureRequest> {
    return this.decide(actor, id, 'rejected', comment);
  }

  private async decide(
    actor: string,
    id: string,
    to: 'approved' | 'rejected',
    comment: string,
  ): Promise<ExposureRequest> {
    const request = await this.write(async (tx, changes) => {
      const current = await this.mustGet(tx, id);
      if (current.requestedBy === actor) {
        throw new NotAllowedError(
          `nobody approves or rejects their own request (${id} was made by ${actor})`,
        );
      }
      assertTransition(id, current.state, to);
      if (
        to === 'approved' &&
        current.expiresAt &&
        Date.parse(current.expiresAt) <= this.now().getTime()
      ) {
        throw new ConflictError(
          `request ${id} asked for an exposure until ${current.expiresAt}, which has passed; it cannot be approved`,
        );
      }
      const decided = await this.transition(tx, changes, current, to, actor, {
        decidedBy: actor,
        decidedAt: this.now().toISOString(),
        decisionComment: comment,
      });
      if (to === 'rejected') return decided;
      const entry = this.pools.get(decided.pool);
      if (!entry) {
        throw new ConflictError(
          `pool "${decided.pool}" of request ${id} is no longer configured`,
        );
      }
      return this.activate(tx, changes, decided, entry);
    });
    return request;
  }

  /**
   * Releases an active request's address. Allowed to members of the owning
   * group and to holders of release-any, which the caller tells.
   */
  async release(
    actor: string,
    id: string,
    comment: string,
    access: { ownershipRefs: string[]; releaseAny: boolean },
  ): Promise<ExposureRequest> {
    const request = await this.write(async (tx, changes) => {
      const current = await this.mustGet(tx, id);
      if (!access.releaseAny && !access.ownershipRefs.includes(current.owner)) {
        throw new NotAllowedError(
          `only members of ${current.owner} or platform admins may release request ${id}`,
        );
      }
      return this.end(tx, changes, current, 'released', actor, comment);
    });
    return request;
  }

  /** Moves active requests past their expiry to `expired`; returns how many. */
  async expireDue(): Promise<number> {
    const now = this.now().toISOString();
    const ids = await this.options.store.listExpiredRequestIds(now);
    let expired = 0;
    for (const id of ids) {
      const done = await this.write(async (tx, changes) => {
        const current = await this.mustGet(tx, id);
        // Another replica or a release may have got there first.
        if (current.state !== 'active') return false;
        await this.end(
          tx,
          changes,
          current,
          'expired',
          SYSTEM_ACTOR,
          'expired',
        );
        return true;
      });
      if (done) expired++;
    }
    return expired;
  }

  /** Adoption of a running cluster's addresses (see adoptAllocations.ts). */
  async adoptAllocations(
    actor: string,
    items: AdoptionItem[],
  ): Promise<AdoptionOutcome[]> {
    const at = this.now().toISOString();
    const outcomes = await this.write(async (tx, changes) => {
      await tx.lock(['adoption', ...items.map(serviceLockKey)]);
      return adoptInTransaction(
        tx,
        {
          actor,
          at,
          pools: this.pools,
          record: after =>
            this.record(tx, changes, actor, 'adopted', undefined, after),
        },
        items,
      );
    });
    return outcomes;
  }

  /** Active allocations with their requests: the seam for reconcilers. */
  async listActiveAllocations(): Promise<Allocation[]> {
    return this.options.store.listAllocations({});
  }

  private async end(
    tx: ExposureStoreTransaction,
    changes: ExposureChange[],
    current: ExposureRequest,
    to: 'released' | 'expired',
    actor: string,
    comment: string,
  ): Promise<ExposureRequest> {
    assertTransition(current.id, current.state, to);
    await tx.detach(current.id);
    this.releasedAddress(current);
    return this.transition(tx, changes, current, to, actor, {
      releasedBy: actor,
      releasedAt: this.now().toISOString(),
      ...(comment ? { decisionComment: comment } : {}),
    });
  }

  /** A freed address below a pool's cursor is the next one handed out. */
  private releasedAddress(request: ExposureRequest): void {
    const entry = this.pools.get(request.pool);
    if (!entry || !request.address) return;
    const { family, value } = parseAddress(request.address);
    if (family === entry.layout.family) {
      this.cursors.released(entry.pool.name, value);
    }
  }

  private async mustGet(
    tx: ExposureStoreTransaction,
    id: string,
  ): Promise<ExposureRequest> {
    const request = await tx.getRequest(id);
    if (!request) throw new NotFoundError(`no request with id ${id}`);
    return request;
  }

  private async transition(
    tx: ExposureStoreTransaction,
    changes: ExposureChange[],
    current: ExposureRequest,
    to: ExposureRequest['state'],
    actor: string,
    patch: Partial<ExposureRequest> = {},
  ): Promise<ExposureRequest> {
    assertTransition(current.id, current.state, to);
    const next = await tx.updateRequest(current, {
      ...patch,
      state: to,
      updatedAt: this.now().toISOString(),
    });
    await this.record(tx, changes, actor, `request.${to}`, current, next);
    return next;
  }

  /** Allocates an address for an approved request and makes it active. */
  private async activate(
    tx: ExposureStoreTransaction,
    changes: ExposureChange[],
    request: ExposureRequest,
    entry: PoolEntry,
  ): Promise<ExposureRequest> {
    let target = request;
    if (request.replaces) {
      const replaced = await tx.getRequest(request.replaces);
      if (replaced?.state === 'active') {
        await this.end(
          tx,
          changes,
          replaced,
          'released',
          SYSTEM_ACTOR,
          `replaced by request ${request.id}`,
        );
        // Same pool, no address asked for: the change keeps the address.
        if (
          !request.requestedAddress &&
          replaced.address &&
          replaced.pool === request.pool
        ) {
          target = { ...request, requestedAddress: replaced.address };
        }
      }
    }
    const address = await allocateAddress(
      tx,
      target,
      entry,
      this.now().toISOString(),
      this.cursors,
    );
    return this.transition(tx, changes, request, 'active', SYSTEM_ACTOR, {
      address,
    });
  }

  private async record(
    tx: ExposureStoreTransaction,
    changes: ExposureChange[],
    actor: string,
    action: string,
    before: ExposureRequest | undefined,
    after: ExposureRequest,
  ): Promise<void> {
    await tx.appendAudit({
      at: this.now().toISOString(),
      actor,
      action,
      subjectType: 'request',
      subjectId: after.id,
      before: before ?? null,
      after,
    });
    changes.push({ action, actor, request: after });
  }

  /**
   * One write transaction; the changes it records are published after
   * commit. A run the store repeats (after a deadlock) starts with none.
   */
  private async write<T>(
    fn: (tx: ExposureStoreTransaction, changes: ExposureChange[]) => Promise<T>,
  ): Promise<T> {
    let changes: ExposureChange[] = [];
    const result = await this.options.store.transaction(tx => {
      changes = [];
      return fn(tx, changes);
    });
    this.publisher.publish(changes);
    return result;
  }
}
