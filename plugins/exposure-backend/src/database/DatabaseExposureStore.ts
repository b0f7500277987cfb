import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  Allocation,
  AuditQuery,
  AuditVerification,
} from '@portico/plugin-exposure-common';
import { Knex } from 'knex';
import { verifyAuditChain } from '../audit/auditChain';
import {
  AllocationFilter,
  ExposureStore,
  ExposureStoreTransaction,
  RequestFilter,
} from './ExposureStore';
import { KnexExposureTransaction } from './KnexExposureTransaction';
import {
  AuditRow,
  RequestRow,
  fromRow,
  publicAudit,
  storedAudit,
} from './rows';

const migrationsDir = resolvePackagePath(
  '@portico/plugin-exposure-backend',
  'migrations',
);

/** Runs the plugin's migrations to the latest version. */
export async function migrateExposureDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

export { isUniqueViolation } from './rows';

/** Runs of one transaction before a deadlock is reported. */
const MAX_ATTEMPTS = 3;

/** Deadlock detected, serialization failure. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
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
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.knex.transaction(async tx => {
          const writer = new KnexExposureTransaction(tx, {
            write: true,
            postgres: this.isPostgres,
          });
          const result = await fn(writer);
          await writer.flushAudit();
          return result;
        });
      } catch (error) {
        // PostgreSQL broke a lock cycle by aborting this transaction: run it
        // again, it sees what the other one committed.
        if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
        throw error;
      }
    }
  }

  async read<T>(fn: (tx: ExposureStoreTransaction) => Promise<T>): Promise<T> {
    return fn(
      new KnexExposureTransaction(this.knex, {
        write: false,
        postgres: this.isPostgres,
      }),
    );
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
    if (filter.addresses) query.whereIn('a.address', filter.addresses);
    const rows = await query;
    const holders = new Map<string, number>();
    const shared = this.knex('exposure_allocations');
    if (filter.addresses) shared.whereIn('address', filter.addresses);
    const shareCounts = await shared
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
