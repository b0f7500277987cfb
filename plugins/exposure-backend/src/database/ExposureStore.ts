import type {
  Allocation,
  AuditEvent,
  AuditQuery,
  AuditVerification,
  ExposureRequest,
  IpFamily,
  RequestState,
  ServicePort,
} from '@portico/plugin-exposure-common';

/** A held address: who holds it and for which ports. */
export interface Lease {
  segment: string;
  address: string;
  family: IpFamily;
  addressKey: string;
  pool: string;
  owner: string;
  createdAt: string;
}

/** An audit event before it is chained (seq and hashes are the store's). */
export interface NewAuditEvent {
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
}

/** A `POST /requests` Idempotency-Key and the request it created. */
export interface IdempotencyEntry {
  actor: string;
  key: string;
  bodyHash: string;
  requestId: string;
  createdAtMs: number;
}

export interface RequestFilter {
  state?: RequestState;
  owner?: string;
  pool?: string;
  entityRef?: string;
}

export interface AllocationFilter {
  pool?: string;
  segment?: string;
  owner?: string;
  requestId?: string;
  /** Canonical addresses; any of them. */
  addresses?: string[];
}

/**
 * Writes, inside one transaction that holds the head of the audit chain: every
 * change is ordered against every other change, across replicas.
 */
export interface ExposureStoreTransaction {
  getRequest(id: string): Promise<ExposureRequest | undefined>;
  insertRequest(request: ExposureRequest): Promise<void>;
  /** Writes a patch over the request as it is now; returns the result. */
  updateRequest(
    current: ExposureRequest,
    patch: Partial<Omit<ExposureRequest, 'id' | 'createdAt'>>,
  ): Promise<ExposureRequest>;
  /** Requests of an owner in a pool that hold or wait for an address. */
  countOwnerHeld(pool: string, owner: string): Promise<number>;
  /** Pending, approved and active requests of one Service, oldest first. */
  listOpenRequestsForService(
    cluster: string,
    namespace: string,
    serviceName: string,
  ): Promise<ExposureRequest[]>;
  getIdempotencyKey(
    actor: string,
    key: string,
  ): Promise<{ bodyHash: string; requestId: string } | undefined>;
  /** False when the actor already used the key (the primary key refused it). */
  tryInsertIdempotencyKey(entry: IdempotencyEntry): Promise<boolean>;
  /** Number of addresses of the pool that are leased. */
  countLeased(pool: string): Promise<bigint>;
  /**
   * Leased address values of a pool from `fromKey` (an `addressKey`) up,
   * ascending, at most `limit` of them.
   */
  leasedValuesFrom(
    pool: string,
    family: IpFamily,
    fromKey: string,
    limit: number,
  ): Promise<bigint[]>;
  getLease(
    segment: string,
    address: string,
  ): Promise<(Lease & { ports: ServicePort[] }) | undefined>;
  /**
   * Inserts a lease; false when the (segment, address) is already held (the
   * unique constraint refused it), so the caller can pick another address.
   */
  tryInsertLease(lease: Lease): Promise<boolean>;
  /**
   * Records that a request holds a leased address on these ports; false when
   * a port clashes with another holder of the address.
   */
  tryAttach(
    requestId: string,
    segment: string,
    address: string,
    ports: ServicePort[],
    at: string,
  ): Promise<boolean>;
  /** Detaches a request from its address and frees the lease when unused. */
  detach(requestId: string): Promise<void>;
  /** Adds an event to the audit chain when the transaction commits. */
  appendAudit(event: NewAuditEvent): Promise<void>;
  /**
   * Serialises this transaction with every other one that locks one of the
   * keys, until commit: for checks that read before they write.
   */
  lock(keys: string[]): Promise<void>;
}

/** Persistence of requests, leases and the audit chain. */
export interface ExposureStore {
  transaction<T>(fn: (tx: ExposureStoreTransaction) => Promise<T>): Promise<T>;
  /** Reads through the transaction interface without taking the lock. */
  read<T>(fn: (tx: ExposureStoreTransaction) => Promise<T>): Promise<T>;
  getRequest(id: string): Promise<ExposureRequest | undefined>;
  listRequests(filter: RequestFilter): Promise<ExposureRequest[]>;
  /** Active allocations with the request holding each. */
  listAllocations(filter: AllocationFilter): Promise<Allocation[]>;
  /** Leased address counts per pool. */
  countLeasesByPool(): Promise<Map<string, bigint>>;
  /** Ids of active requests whose expiry is at or before `now`. */
  listExpiredRequestIds(now: string): Promise<string[]>;
  listAuditEvents(query: AuditQuery): Promise<AuditEvent[]>;
  /** Forgets Idempotency-Keys first used before `beforeMs`; returns how many. */
  pruneIdempotencyKeys(beforeMs: number): Promise<number>;
  verifyAuditChain(): Promise<AuditVerification>;
}
