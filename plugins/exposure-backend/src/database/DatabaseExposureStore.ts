import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  Allocation,
  AuditEvent,
  AuditQuery,
  AuditVerification,
  ExposureRequest,
  IpFamily,
  ServicePort,
} from '@portico/plugin-exposure-common';
import { Knex } from 'knex';
import {
  StoredAuditEvent,
  hashAuditEvent,
  verifyAuditChain,
} from '../audit/auditChain';
import {
  AllocationFilter,
  ExposureStore,
  IdempotencyEntry,
  ExposureStoreTransaction,
  Lease,
  NewAuditEvent,
  RequestFilter,
} from './ExposureStore';

const migrationsDir = resolvePackagePath(
  '@portico/plugin-exposure-backend',
  'migrations',
);

/** Runs the plugin's migrations to the latest version. */
export async function migrateExposureDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

type RequestRow = {
  id: string;
  state: string;
  requested_by: string;
  entity_ref: string;
  owner: string;
  cluster: string;
  namespace: string;
  service_name: string;
  ports: string;
  pool: string;
  segment: string;
  intent: string;
  requested_address: string | null;
  address: string | null;
  exposure_kind: string;
  justification: string;
  expires_at: string | null;
  expires_at_ms?: number | string | null;
  replaces?: string | null;
  reasons: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  released_by: string | null;
  released_at: string | null;
  created_at: string;
  updated_at: string;
};

const requestColumns: Record<
  keyof Omit<ExposureRequest, 'ports' | 'reasons'>,
  keyof RequestRow
> = {
  id: 'id',
  state: 'state',
  requestedBy: 'requested_by',
  entityRef: 'entity_ref',
  owner: 'owner',
  cluster: 'cluster',
  namespace: 'namespace',
  serviceName: 'service_name',
  pool: 'pool',
  segment: 'segment',
  intent: 'intent',
  requestedAddress: 'requested_address',
  address: 'address',
  exposureKind: 'exposure_kind',
  justification: 'justification',
  expiresAt: 'expires_at',
  replaces: 'replaces',
  decidedBy: 'decided_by',
  decidedAt: 'decided_at',
  decisionComment: 'decision_comment',
  releasedBy: 'released_by',
  releasedAt: 'released_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

function toRow(patch: Partial<ExposureRequest>): Partial<RequestRow> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'ports' || key === 'reasons') {
      row[key] = JSON.stringify(value);
    } else {
      const column = requestColumns[key as keyof typeof requestColumns];
      if (column) row[column] = value ?? null;
    }
  }
  // Expiry is compared as an instant; the text column is for display only.
  if ('expiresAt' in patch) {
    row.expires_at_ms = patch.expiresAt ? Date.parse(patch.expiresAt) : null;
  }
  return row as Partial<RequestRow>;
}

function fromRow(row: RequestRow): ExposureRequest {
  const request: Record<string, unknown> = {
    ports: JSON.parse(row.ports),
    reasons: JSON.parse(row.reasons),
  };
  for (const [key, column] of Object.entries(requestColumns)) {
    const value = row[column];
    if (value !== null && value !== undefined) request[key] = value;
  }
  return request as unknown as ExposureRequest;
}

type AuditRow = {
  seq: number | string;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string;
  after: string;
  prev_hash: string;
  hash: string;
};

function storedAudit(row: AuditRow): StoredAuditEvent {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    before: row.before,
    after: row.after,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function publicAudit(event: StoredAuditEvent): AuditEvent {
  return {
    ...event,
    before: JSON.parse(event.before),
    after: JSON.parse(event.after),
  };
}

/** True for a unique / primary key violation on PostgreSQL or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

const HELD_STATES = ['pending', 'approved', 'active'];

class KnexExposureTransaction implements ExposureStoreTransaction {
  /** Events appended in this transaction, written before commit. */
  private readonly pending: StoredAuditEvent[] = [];

  constructor(
    private readonly tx: Knex | Knex.Transaction,
    private head: { seq: number; hash: string },
  ) {}

  /** Writes the appended events and the new end of the chain, before commit. */
  async flushHead() {
    if (this.pending.length === 0) return;
    await this.tx('exposure_audit_events').insert(
      this.pending.map(stored => ({
        seq: stored.seq,
        at: stored.at,
        actor: stored.actor,
        action: stored.action,
        subject_type: stored.subjectType,
        subject_id: stored.subjectId,
        before: stored.before,
        after: stored.after,
        prev_hash: stored.prevHash,
        hash: stored.hash,
      })),
    );
    await this.tx('exposure_audit_head')
      .where({ id: 1 })
      .update({ seq: this.head.seq, hash: this.head.hash });
  }

  async getRequest(id: string) {
    const row = await this.tx<RequestRow>('exposure_requests')
      .where({ id })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async insertRequest(request: ExposureRequest) {
    await this.tx('exposure_requests').insert(toRow(request));
  }

  async updateRequest(
    current: ExposureRequest,
    patch: Partial<Omit<ExposureRequest, 'id' | 'createdAt'>>,
  ) {
    const updated = await this.tx('exposure_requests')
      .where({ id: current.id })
      .update(toRow(patch));
    if (updated !== 1) {
      throw new Error(`request ${current.id} vanished during an update`);
    }
    return { ...current, ...patch } as ExposureRequest;
  }

  async countOwnerHeld(pool: string, owner: string) {
    const [{ n }] = await this.tx('exposure_requests')
      .where({ pool, owner })
      .whereIn('state', HELD_STATES)
      .count({ n: '*' });
    return Number(n);
  }

  async listOpenRequestsForService(
    cluster: string,
    namespace: string,
    serviceName: string,
  ) {
    const rows = await this.tx<RequestRow>('exposure_requests')
      .where({ cluster, namespace, service_name: serviceName })
      .whereIn('state', HELD_STATES)
      .orderBy('created_at')
      .orderBy('id');
    return rows.map(fromRow);
  }

  async getIdempotencyKey(actor: string, key: string) {
    const row = await this.tx('exposure_idempotency_keys')
      .where({ actor, key })
      .first('body_hash', 'request_id');
    return row
      ? { bodyHash: String(row.body_hash), requestId: String(row.request_id) }
      : undefined;
  }

  async tryInsertIdempotencyKey(entry: IdempotencyEntry) {
    const inserted = await this.insertIgnoringConflicts(
      'exposure_idempotency_keys',
      [
        {
          actor: entry.actor,
          key: entry.key,
          body_hash: entry.bodyHash,
          request_id: entry.requestId,
          created_at_ms: entry.createdAtMs,
        },
      ],
      ['actor', 'key'],
    );
    return inserted === 1;
  }

  async countLeased(pool: string) {
    const [{ n }] = await this.tx('exposure_leases')
      .where({ pool })
      .count({ n: '*' });
    return BigInt(n ?? 0);
  }

  async leasedValues(pool: string, family: IpFamily) {
    const rows = await this.tx('exposure_leases')
      .where({ pool, family })
      .orderBy('address_key')
      .select('address_key');
    return rows.map((r: { address_key: string }) =>
      BigInt(`0x${r.address_key}`),
    );
  }

  async getLease(segment: string, address: string) {
    const row = await this.tx('exposure_leases')
      .where({ segment, address })
      .first();
    if (!row) return undefined;
    const ports = await this.tx('exposure_lease_ports')
      .where({ segment, address })
      .select('protocol', 'port');
    return {
      segment: row.segment,
      address: row.address,
      family: Number(row.family) as IpFamily,
      addressKey: row.address_key,
      pool: row.pool,
      owner: row.owner,
      createdAt: row.created_at,
      ports: ports.map((p: { protocol: string; port: number }) => ({
        protocol: p.protocol as ServicePort['protocol'],
        port: Number(p.port),
      })),
    };
  }

  /**
   * `INSERT … ON CONFLICT (key) DO NOTHING`: rows that would break the key are
   * skipped instead of failing the transaction. Returns how many went in.
   */
  private async insertIgnoringConflicts(
    table: string,
    rows: object[],
    key: string[],
  ): Promise<number> {
    const inserted = await this.tx(table)
      .insert(rows)
      .onConflict(key)
      .ignore()
      .returning(key[0]);
    return inserted.length;
  }

  async tryInsertLease(lease: Lease) {
    const inserted = await this.insertIgnoringConflicts(
      'exposure_leases',
      [
        {
          segment: lease.segment,
          address: lease.address,
          family: lease.family,
          address_key: lease.addressKey,
          pool: lease.pool,
          owner: lease.owner,
          created_at: lease.createdAt,
        },
      ],
      ['segment', 'address'],
    );
    return inserted === 1;
  }

  async tryAttach(
    requestId: string,
    segment: string,
    address: string,
    ports: ServicePort[],
    at: string,
  ) {
    await this.tx('exposure_allocations').insert({
      request_id: requestId,
      segment,
      address,
      created_at: at,
    });
    const inserted = await this.insertIgnoringConflicts(
      'exposure_lease_ports',
      ports.map(p => ({
        segment,
        address,
        protocol: p.protocol ?? 'TCP',
        port: p.port,
        request_id: requestId,
      })),
      ['segment', 'address', 'protocol', 'port'],
    );
    const attached = inserted === ports.length;
    if (!attached) {
      await this.tx('exposure_lease_ports')
        .where({ request_id: requestId })
        .delete();
      await this.tx('exposure_allocations')
        .where({ request_id: requestId })
        .delete();
    }
    return attached;
  }

  async detach(requestId: string) {
    const allocation = await this.tx('exposure_allocations')
      .where({ request_id: requestId })
      .first();
    if (!allocation) return;
    await this.tx('exposure_lease_ports')
      .where({ request_id: requestId })
      .delete();
    await this.tx('exposure_allocations')
      .where({ request_id: requestId })
      .delete();
    const { segment, address } = allocation;
    const [{ n }] = await this.tx('exposure_allocations')
      .where({ segment, address })
      .count({ n: '*' });
    if (Number(n) === 0) {
      await this.tx('exposure_leases').where({ segment, address }).delete();
    }
  }

  async appendAudit(event: NewAuditEvent): Promise<AuditEvent> {
    const unhashed = {
      seq: this.head.seq + 1,
      at: event.at,
      actor: event.actor,
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      before: JSON.stringify(event.before ?? null),
      after: JSON.stringify(event.after ?? null),
      prevHash: this.head.hash,
    };
    const stored: StoredAuditEvent = {
      ...unhashed,
      hash: hashAuditEvent(unhashed),
    };
    this.pending.push(stored);
    this.head = { seq: stored.seq, hash: stored.hash };
    return publicAudit(stored);
  }
}

/** The knex store, on SQLite or PostgreSQL. */
export class DatabaseExposureStore implements ExposureStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseExposureStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await migrateExposureDatabase(knex);
    }
    return new DatabaseExposureStore(knex);
  }

  private readonly isPostgres: boolean;

  private constructor(private readonly knex: Knex) {
    this.isPostgres = String(knex.client.config.client).includes('pg');
  }

  async transaction<T>(
    fn: (tx: ExposureStoreTransaction) => Promise<T>,
  ): Promise<T> {
    return this.knex.transaction(async tx => {
      // Lock the chain head first: writers queue here, so each sees every
      // change committed before it. SQLite already runs one writer at a time.
      const query = tx('exposure_audit_head').where({ id: 1 });
      const head = await (this.isPostgres ? query.forUpdate() : query).first();
      const writer = new KnexExposureTransaction(tx, {
        seq: Number(head.seq),
        hash: head.hash,
      });
      const result = await fn(writer);
      await writer.flushHead();
      return result;
    });
  }

  async read<T>(fn: (tx: ExposureStoreTransaction) => Promise<T>): Promise<T> {
    // Appending audit events needs the real head: reads never append.
    return fn(new KnexExposureTransaction(this.knex, { seq: -1, hash: '' }));
  }

  async getRequest(id: string) {
    const row = await this.knex<RequestRow>('exposure_requests')
      .where({ id })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async listRequests(filter: RequestFilter) {
    const query = this.knex<RequestRow>('exposure_requests')
      .orderBy('created_at', 'desc')
      .orderBy('id');
    if (filter.state) query.where('state', filter.state);
    if (filter.owner) query.where('owner', filter.owner);
    if (filter.pool) query.where('pool', filter.pool);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    return (await query).map(fromRow);
  }

  async listAllocations(filter: AllocationFilter): Promise<Allocation[]> {
    const query = this.knex('exposure_allocations as a')
      .join('exposure_requests as r', 'r.id', 'a.request_id')
      .join('exposure_leases as l', function joinLease() {
        this.on('l.segment', '=', 'a.segment').andOn(
          'l.address',
          '=',
          'a.address',
        );
      })
      .orderBy([
        { column: 'l.pool' },
        { column: 'l.address_key' },
        { column: 'a.created_at' },
      ])
      .select(
        'a.request_id',
        'a.segment',
        'a.address',
        'a.created_at',
        'l.pool',
        'l.owner',
        'r.entity_ref',
        'r.cluster',
        'r.namespace',
        'r.service_name',
        'r.ports',
        'r.expires_at',
      );
    if (filter.pool) query.where('l.pool', filter.pool);
    if (filter.segment) query.where('l.segment', filter.segment);
    if (filter.owner) query.where('l.owner', filter.owner);
    if (filter.requestId) query.where('a.request_id', filter.requestId);
    const rows = await query;
    const holders = new Map<string, number>();
    const shareCounts = await this.knex('exposure_allocations')
      .select('segment', 'address')
      .count({ n: '*' })
      .groupBy('segment', 'address')
      .havingRaw('count(*) > 1');
    for (const s of shareCounts as {
      segment: string;
      address: string;
      n: number;
    }[]) {
      holders.set(`${s.segment}|${s.address}`, Number(s.n));
    }
    return rows.map(row => ({
      requestId: row.request_id,
      segment: row.segment,
      pool: row.pool,
      address: row.address,
      owner: row.owner,
      entityRef: row.entity_ref,
      cluster: row.cluster,
      namespace: row.namespace,
      serviceName: row.service_name,
      ports: JSON.parse(row.ports),
      shared: holders.has(`${row.segment}|${row.address}`),
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      allocatedAt: row.created_at,
    }));
  }

  async countLeasesByPool() {
    const rows = await this.knex('exposure_leases')
      .select('pool')
      .count({ n: '*' })
      .groupBy('pool');
    return new Map(
      (rows as { pool: string; n: number | string }[]).map(r => [
        r.pool,
        BigInt(r.n),
      ]),
    );
  }

  async listExpiredRequestIds(now: string) {
    const rows = await this.knex('exposure_requests')
      .where('state', 'active')
      .whereNotNull('expires_at_ms')
      .where('expires_at_ms', '<=', Date.parse(now))
      .select('id');
    return rows.map(r => r.id as string);
  }

  async pruneIdempotencyKeys(beforeMs: number) {
    return this.knex('exposure_idempotency_keys')
      .where('created_at_ms', '<', beforeMs)
      .delete();
  }

  async listAuditEvents(query: AuditQuery) {
    const q = this.knex<AuditRow>('exposure_audit_events')
      .orderBy('seq', 'desc')
      .limit(query.limit);
    if (query.subjectId) q.where('subject_id', query.subjectId);
    if (query.actor) q.where('actor', query.actor);
    if (query.action) q.where('action', query.action);
    if (query.since) q.where('at', '>=', new Date(query.since).toISOString());
    if (query.until) q.where('at', '<=', new Date(query.until).toISOString());
    return (await q).map(row => publicAudit(storedAudit(row)));
  }

  async verifyAuditChain(): Promise<AuditVerification> {
    // Read the head and the events in one snapshot-consistent transaction.
    return this.knex.transaction(async tx => {
      const head = await tx('exposure_audit_head').where({ id: 1 }).first();
      const rows = await tx<AuditRow>('exposure_audit_events').orderBy('seq');
      return verifyAuditChain(rows.map(storedAudit), {
        seq: Number(head.seq),
        hash: head.hash,
      });
    });
  }
}
