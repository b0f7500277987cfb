import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type {
  CreateRequestBody,
  ExposureRequest,
  GuardrailReason,
  Verdict,
} from '@portico/plugin-exposure-common';

/** `POST /requests` with `dryRun: true` answers with the verdict only. */
export interface DryRunResult {
  dryRun: true;
  pool: string;
  verdict: Verdict;
  reasons: GuardrailReason[];
}

/**
 * A refusal of the exposure API, with the status and the message of
 * Backstage's error body (openapi.yaml `Error`). For a denied request the
 * message carries every guardrail reason.
 */
export class ExposureApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExposureApiError';
  }

  /** 403 for policy reasons, 409 for an exhausted pool (openapi.yaml). */
  get isDenial(): boolean {
    return this.status === 403 || this.status === 409;
  }
}

/**
 * The part of the `/api/exposure` REST API (plugins/exposure-backend/openapi.yaml)
 * the template action uses, called on behalf of the user who runs the template.
 */
export class ExposureApiClient {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  /**
   * With an idempotency key, a retry (after a socket error, or by a resumed
   * task) gets the request the first attempt created, never a second one.
   */
  async createRequest(
    body: Omit<CreateRequestBody, 'dryRun'>,
    onBehalfOf: BackstageCredentials,
    options: { signal?: AbortSignal; idempotencyKey?: string } = {},
  ): Promise<ExposureRequest> {
    return this.post(
      '/requests',
      { ...body, dryRun: false },
      onBehalfOf,
      options.signal,
      options.idempotencyKey,
    );
  }

  async dryRun(
    body: Omit<CreateRequestBody, 'dryRun'>,
    onBehalfOf: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<DryRunResult> {
    return this.post(
      '/requests',
      { ...body, dryRun: true },
      onBehalfOf,
      signal,
    );
  }

  private async post<T>(
    path: string,
    body: unknown,
    onBehalfOf: BackstageCredentials,
    signal?: AbortSignal,
    idempotencyKey?: string,
  ): Promise<T> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: 'exposure',
    });
    const baseUrl = await this.discovery.getBaseUrl('exposure');
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) {
      throw errorFromBody(response.status, response.statusText, text);
    }
    return JSON.parse(text) as T;
  }
}

function errorFromBody(
  status: number,
  statusText: string,
  text: string,
): ExposureApiError {
  try {
    const parsed = JSON.parse(text);
    const error = parsed?.error;
    if (typeof error?.message === 'string') {
      return new ExposureApiError(status, String(error.name), error.message);
    }
  } catch {
    // Not Backstage's error body (a proxy in between, say): keep the raw text.
  }
  return new ExposureApiError(
    status,
    'Error',
    `${status} ${statusText}${text ? `: ${text.slice(0, 500)}` : ''}`,
  );
}
