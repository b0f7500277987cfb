import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import type {
  AdoptionReport,
  AdoptionRequestBody,
  Allocation,
  AuditEvent,
  AuditVerification,
  ClustersView,
  ExposureRequest,
  PoolExportRow,
  PoolSummary,
  SegmentSummary,
} from '@portico/plugin-exposure-common';
import {
  AllocationFilter,
  AuditFilter,
  DryRunResult,
  ExportFormat,
  ExposureApi,
  ExposureRequestInput,
  RequestFilter,
} from './ExposureApi';
import { ExposureApiError } from './ExposureApiError';

type Query = Record<string, string | number | undefined>;

/** Talks to the exposure backend plugin through Backstage's fetch and discovery APIs. */
export class ExposureClient implements ExposureApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listSegments(): Promise<SegmentSummary[]> {
    return (await this.json<{ items: SegmentSummary[] }>('/segments')).items;
  }

  async listPools(): Promise<PoolSummary[]> {
    return (await this.json<{ items: PoolSummary[] }>('/pools')).items;
  }

  getPool(name: string): Promise<PoolSummary> {
    return this.json(`/pools/${encodeURIComponent(name)}`);
  }

  async exportPools(format: ExportFormat): Promise<string> {
    const response = await this.send(`/export/pools`, { query: { format } });
    return response.text();
  }

  async exportPoolRows(): Promise<PoolExportRow[]> {
    const { items } = await this.json<{ items: PoolExportRow[] }>(
      '/export/pools',
      { query: { format: 'json' } },
    );
    return items;
  }

  async listRequests(filter: RequestFilter = {}): Promise<ExposureRequest[]> {
    const { items } = await this.json<{ items: ExposureRequest[] }>(
      '/requests',
      { query: { ...filter } },
    );
    return items;
  }

  getRequest(id: string): Promise<ExposureRequest> {
    return this.json(`/requests/${encodeURIComponent(id)}`);
  }

  dryRun(input: ExposureRequestInput): Promise<DryRunResult> {
    return this.json('/requests', {
      method: 'POST',
      body: { ...input, dryRun: true },
    });
  }

  createRequest(input: ExposureRequestInput): Promise<ExposureRequest> {
    return this.json('/requests', {
      method: 'POST',
      body: { ...input, dryRun: false },
    });
  }

  approveRequest(id: string, comment?: string): Promise<ExposureRequest> {
    return this.decide(id, 'approve', comment);
  }

  rejectRequest(id: string, comment?: string): Promise<ExposureRequest> {
    return this.decide(id, 'reject', comment);
  }

  releaseRequest(id: string, comment?: string): Promise<ExposureRequest> {
    return this.decide(id, 'release', comment);
  }

  async listAllocations(filter: AllocationFilter = {}): Promise<Allocation[]> {
    const { items } = await this.json<{ items: Allocation[] }>('/allocations', {
      query: { ...filter },
    });
    return items;
  }

  async listAuditEvents(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const { items } = await this.json<{ items: AuditEvent[] }>('/audit', {
      query: { ...filter },
    });
    return items;
  }

  verifyAuditChain(): Promise<AuditVerification> {
    return this.json('/audit/verify');
  }

  private decide(
    id: string,
    action: 'approve' | 'reject' | 'release',
    comment?: string,
  ): Promise<ExposureRequest> {
    return this.json(`/requests/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      body: comment ? { comment } : {},
    });
  }

  getClusters(): Promise<ClustersView> {
    return this.json<ClustersView>('/clusters');
  }

  adoptCluster(
    cluster: string,
    body: AdoptionRequestBody,
  ): Promise<AdoptionReport> {
    return this.json<AdoptionReport>(
      `/clusters/${encodeURIComponent(cluster)}/adoption`,
      { method: 'POST', body },
    );
  }

  private async json<T>(
    path: string,
    options: { method?: string; query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const response = await this.send(path, options);
    return (await response.json()) as T;
  }

  private async send(
    path: string,
    options: { method?: string; query?: Query; body?: unknown },
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('exposure');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}${search ? `?${search}` : ''}`,
      {
        method: options.method ?? 'GET',
        headers:
          options.body === undefined
            ? undefined
            : { 'Content-Type': 'application/json' },
        body:
          options.body === undefined ? undefined : JSON.stringify(options.body),
      },
    );
    if (!response.ok) throw await toError(response);
    return response;
  }
}

/** Reads Backstage's error body (`{ error: { name, message } }`) when there is one. */
async function toError(response: Response): Promise<ExposureApiError> {
  const fallback = `${response.status} ${response.statusText}`.trim();
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the body is unreadable; the status line is all there is
  }
  try {
    const body = JSON.parse(text);
    const message = body?.error?.message;
    if (typeof message === 'string' && message) {
      return new ExposureApiError(message, response.status, body.error.name);
    }
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  const snippet = text.trim().slice(0, 300);
  return new ExposureApiError(
    snippet && !snippet.startsWith('<')
      ? `${fallback}: ${snippet}`
      : `The exposure backend answered ${fallback}`,
    response.status,
  );
}
