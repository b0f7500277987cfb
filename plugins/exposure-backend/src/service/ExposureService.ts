import { randomUUID } from 'node:crypto';
import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
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
  canonicalAddress,
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
import { AllocationCursors } from './allocationCursors';
import { hashRequestBody } from './idempotency';
import { measureUsage, poolSummary, segmentSummaries } from './poolUsage';
import {
  assertNoDuplicate,
  checkOpenRequests,
  duplicateMessage,
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
  private readonly listeners = new Set<ExposureChangeListener>();
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  /** Pool named in the body, or the first pool of the intent that fits. */
  private resolvePool(body: CreateRequestBody): PoolEntry {
    if (body.pool !== undefined) {
      const entry = this.pools.get(body.pool);
      if (!entry) {
        throw new InputError(
          `pool: unknown pool "${body.pool}" (known: ${[
            ...this.pools.keys(),
          ].join(', ')})`,
        );
      }
      if (body.intent !== undefined && entry.pool.intent !== body.intent) {
        throw new InputError(
          `intent: pool "${body.pool}" is ${entry.pool.intent}, not ${body.intent}`,
        );
      }
      return entry;
    }
    const candidates = [...this.pools.values()].filter(
      e => e.pool.intent === body.intent,
    );
    const fitting =
      candidates.find(
        e =>
          e.segment.clusters.includes(body.cluster) &&
          (e.pool.policy.owners.length === 0 ||
            e.pool.policy.owners.includes(body.owner)),
      ) ?? candidates[0];
    if (!fitting) {
      throw new InputError(`intent: no pool has intent ${body.intent}`);
    }
    return fitting;
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
    const entry = this.resolvePool(body);
    const result = await this.options.store.read(async tx => {
      const { replaced, duplicateOf } = await checkOpenRequests(tx, body);
      const verdict = this.evaluate(
        entry,
        body,
        await measureUsage(tx, entry, body, replaced),
      );
      if (!duplicateOf) return verdict;
      return {
        verdict: 'deny' as const,
        reasons: [
          {
            code: 'duplicate-request' as const,
            verdict: 'deny' as const,
            message: duplicateMessage(duplicateOf),
          },
          ...verdict.reasons,
        ],
      };
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
    const entry = this.resolvePool(body);
    const { idempotencyKey } = options;
    const bodyHash = hashRequestBody(body);
    const outcome = await this.write(async (tx, changes) => {
      await tx.lock([
        `service:${body.cluster}/${body.namespace}/${body.serviceName}`,
        `quota:${entry.pool.name}/${body.owner}`,
        ...(idempotencyKey !== undefined
          ? [`idempotency:${actor}/${idempotencyKey}`]
          : []),
      ]);
      if (idempotencyKey !== undefined) {
        const seen = await tx.getIdempotencyKey(actor, idempotencyKey);
        if (seen) {
          if (seen.bodyHash !== bodyHash) {
            throw new ConflictError(
              `Idempotency-Key "${idempotencyKey}" was first used for another request (${seen.requestId}); use a new key for a new request`,
            );
          }
          return {
            request: await this.mustGet(tx, seen.requestId),
            replayed: true,
          };
        }
      }
      const replaced = await assertNoDuplicate(tx, body);
      const verdict = this.evaluate(
        entry,
        body,
        await measureUsage(tx, entry, body, replaced),
      );
      if (verdict.verdict === 'deny') {
        const messages = verdict.reasons.map(r => r.message).join('; ');
        if (verdict.reasons.every(r => r.code === 'pool-exhausted')) {
          throw new ConflictError(messages);
        }
        throw new NotAllowedError(`request denied: ${messages}`);
      }
      const at = this.now().toISOString();
      let current: ExposureRequest = {
        id: randomUUID(),
        state: 'pending',
        requestedBy: actor,
        entityRef: body.entityRef,
        owner: body.owner,
        cluster: body.cluster,
        namespace: body.namespace,
        serviceName: body.serviceName,
        ports: body.ports,
        pool: entry.pool.name,
        segment: entry.segment.name,
        intent: entry.pool.intent,
        ...(body.address
          ? { requestedAddress: canonicalAddress(body.address) }
          : {}),
        exposureKind: body.exposureKind,
        justification: body.justification,
        ...(body.expiresAt
          ? { expiresAt: new Date(body.expiresAt).toISOString() }
          : {}),
        ...(body.replaces ? { replaces: body.replaces } : {}),
        reasons: verdict.reasons,
        createdAt: at,
        updatedAt: at,
      };
      await tx.insertRequest(current);
      if (
        idempotencyKey !== undefined &&
        !(await tx.tryInsertIdempotencyKey({
          actor,
          key: idempotencyKey,
          bodyHash,
          requestId: current.id,
          createdAtMs: this.now().getTime(),
        }))
      ) {
        throw new ConflictError(
          `a request with Idempotency-Key "${idempotencyKey}" is being created; retry`,
        );
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
      await tx.lock([
        'adoption',
        ...items.map(
          i => `service:${i.cluster}/${i.namespace}/${i.serviceName}`,
        ),
      ]);
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
    this.publish(changes);
    return result;
  }

  /** After commit: tell Backstage's auditor and the listeners. */
  private publish(changes: ExposureChange[]): void {
    for (const change of changes) {
      void this.audit(change);
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          this.options.logger.warn('exposure change listener failed', {
            action: change.action,
            error: String(error),
          });
        }
      }
    }
  }

  private async audit(change: ExposureChange): Promise<void> {
    if (!this.options.auditor) return;
    try {
      const event = await this.options.auditor.createEvent({
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
      this.options.logger.warn('could not send exposure audit event', {
        error: String(error),
      });
    }
  }
}
