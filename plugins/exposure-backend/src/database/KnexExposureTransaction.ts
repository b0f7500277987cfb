import type {
  AuditEvent,
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
import { HELD_STATES, RequestRow, fromRow, publicAudit, toRow } from './rows';

/** The writes of one store transaction; the audit events go in at its end. */
export class KnexExposureTransaction implements ExposureStoreTransaction {
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
