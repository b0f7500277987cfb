import type {
  ExposureRequest,
  IpFamily,
  ServicePort,
} from '@portico/plugin-exposure-common';
import { Knex } from 'knex';
import { StoredAuditEvent, hashAuditEvent } from '../audit/auditChain';
import {
  ExposureStoreTransaction,
  IdempotencyEntry,
  Lease,
  NewAuditEvent,
} from './ExposureStore';
import { HELD_STATES, RequestRow, fromRow, toRow } from './rows';

/** How a store transaction was opened. */
export interface TransactionMode {
  /** A write transaction, which may append to the audit chain. */
  write: boolean;
  /** PostgreSQL, where concurrent writers need row and advisory locks. */
  postgres: boolean;
}

/**
 * The writes of one store transaction. Audit events are chained at its end:
 * the head of the chain is locked only for the final insert, so writers run
 * side by side until then. Allocation safety comes from the unique keys, and
 * the checks that read before they write (one open request per Service, an
 * owner's quota) hold their own advisory locks (`lock`).
 */
export class KnexExposureTransaction implements ExposureStoreTransaction {
  /** Events appended in this transaction, chained and written before commit. */
  private readonly pending: NewAuditEvent[] = [];

  constructor(
    private readonly tx: Knex | Knex.Transaction,
    private readonly mode: TransactionMode,
  ) {}

  /** Chains the appended events onto the head and writes both, before commit. */
  async flushAudit() {
    if (this.pending.length === 0) return;
    const query = this.tx('exposure_audit_head').where({ id: 1 });
    const row = await (this.mode.postgres ? query.forUpdate() : query).first();
    let head = { seq: Number(row.seq), hash: String(row.hash) };
    const stored = this.pending.map(event => {
      const unhashed = {
        seq: head.seq + 1,
        at: event.at,
        actor: event.actor,
        action: event.action,
        subjectType: event.subjectType,
        subjectId: event.subjectId,
        before: JSON.stringify(event.before ?? null),
        after: JSON.stringify(event.after ?? null),
        prevHash: head.hash,
      };
      const chained: StoredAuditEvent = {
        ...unhashed,
        hash: hashAuditEvent(unhashed),
      };
      head = { seq: chained.seq, hash: chained.hash };
      return chained;
    });
    await this.tx('exposure_audit_events').insert(
      stored.map(event => ({
        seq: event.seq,
        at: event.at,
        actor: event.actor,
        action: event.action,
        subject_type: event.subjectType,
        subject_id: event.subjectId,
        before: event.before,
        after: event.after,
        prev_hash: event.prevHash,
        hash: event.hash,
      })),
    );
    await this.tx('exposure_audit_head')
      .where({ id: 1 })
      .update({ seq: head.seq, hash: head.hash });
  }

  async lock(keys: string[]) {
    // SQLite runs one writer at a time already.
    if (!this.mode.write || !this.mode.postgres) return;
    // One order for everyone, so two writers never wait on each other; the
    // sorted subquery fixes the order the locks are taken in, in one trip.
    await this.tx.raw(
      'select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from (select distinct unnest(?::text[]) as k order by k) keys',
      [keys],
    );
  }

  async getRequest(id: string) {
    const query = this.tx<RequestRow>('exposure_requests').where({ id });
    // A writer that read a request holds it until commit: two decisions on
    // one request queue, and the second sees the first one's outcome.
    const locked =
      this.mode.write && this.mode.postgres ? query.forUpdate() : query;
    const row = await locked.first();
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

  async leasedValuesFrom(
    pool: string,
    family: IpFamily,
    fromKey: string,
    limit: number,
  ) {
    const rows = await this.tx('exposure_leases')
      .where({ pool, family })
      .where('address_key', '>=', fromKey)
      .orderBy('address_key')
      .limit(limit)
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

  async appendAudit(event: NewAuditEvent): Promise<void> {
    if (!this.mode.write) {
      throw new Error('audit events are appended in write transactions only');
    }
    this.pending.push(event);
  }
}
