import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AdoptionReport,
  AdoptionRequestBody,
  Allocation,
  AuditEvent,
  AuditVerification,
  ClustersView,
  CreateRequestBody,
  ExposureRequest,
  GuardrailResult,
  PoolExportRow,
  PoolSummary,
  RequestState,
  SegmentSummary,
} from '@portico/plugin-exposure-common';

/** What the request page sends: the body of `POST /requests` without `dryRun`. */
export type ExposureRequestInput = Omit<CreateRequestBody, 'dryRun'>;

/** The backend's verdict on a request that was not stored. */
export interface DryRunResult extends GuardrailResult {
  dryRun: true;
  /** The pool the request would draw from. */
  pool: string;
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
}

export interface AuditFilter {
  subjectId?: string;
  actor?: string;
  action?: string;
  /** ISO 8601 date-time. */
  since?: string;
  /** ISO 8601 date-time. */
  until?: string;
  limit?: number;
}

export type ExportFormat = 'csv' | 'json';

/** The `/api/exposure` REST API (plugins/exposure-backend/openapi.yaml). */
export interface ExposureApi {
  listSegments(): Promise<SegmentSummary[]>;
  listPools(): Promise<PoolSummary[]>;
  getPool(name: string): Promise<PoolSummary>;
  /** The pool table as the backend renders it, as text ready to save. */
  exportPools(format: ExportFormat): Promise<string>;
  /** Parsed form of the JSON export. */
  exportPoolRows(): Promise<PoolExportRow[]>;
  listRequests(filter?: RequestFilter): Promise<ExposureRequest[]>;
  getRequest(id: string): Promise<ExposureRequest>;
  /** The guardrail verdict of a request, without storing it. */
  dryRun(input: ExposureRequestInput): Promise<DryRunResult>;
  createRequest(input: ExposureRequestInput): Promise<ExposureRequest>;
  approveRequest(id: string, comment?: string): Promise<ExposureRequest>;
  rejectRequest(id: string, comment?: string): Promise<ExposureRequest>;
  releaseRequest(id: string, comment?: string): Promise<ExposureRequest>;
  listAllocations(filter?: AllocationFilter): Promise<Allocation[]>;
  listAuditEvents(filter?: AuditFilter): Promise<AuditEvent[]>;
  verifyAuditChain(): Promise<AuditVerification>;
  /** The clusters as the portal last saw them: reachability, unmanaged Services, drift. */
  getClusters(): Promise<ClustersView>;
  /** Adoption of a cluster already running MetalLB: a dry run, or `{ dryRun: false, token }` to confirm one. */
  adoptCluster(
    cluster: string,
    body: AdoptionRequestBody,
  ): Promise<AdoptionReport>;
}

export const exposureApiRef = createApiRef<ExposureApi>({
  id: 'plugin.exposure.api',
});
