import type {
  AuditEvent,
  ExposureRequest,
} from '@portico/plugin-exposure-common';
import type { StoredAuditEvent } from '../audit/auditChain';

/** Rows of the exposure tables and their mapping to the API's types. */
export type RequestRow = {
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

export const requestColumns: Record<
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

export function toRow(patch: Partial<ExposureRequest>): Partial<RequestRow> {
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

export function fromRow(row: RequestRow): ExposureRequest {
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

export type AuditRow = {
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

export function storedAudit(row: AuditRow): StoredAuditEvent {
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

export function publicAudit(event: StoredAuditEvent): AuditEvent {
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

export const HELD_STATES = ['pending', 'approved', 'active'];
