import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Allocation, PoolSummary } from '@portico/plugin-exposure-common';

/** What the provider reads from the exposure API in one pass. */
export interface ExposureSnapshot {
  /** The exposure API's base URL, for the entities' location annotations. */
  baseUrl: string;
  pools: PoolSummary[];
  allocations: Allocation[];
}

/**
 * Reads pools (with counts) and active allocations from `/api/exposure`
 * (plugins/exposure-backend/openapi.yaml) with the catalog's own service
 * credentials.
 */
export class ExposureApiReader {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async read(signal?: AbortSignal): Promise<ExposureSnapshot> {
    const baseUrl = await this.discovery.getBaseUrl('exposure');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'exposure',
    });
    const get = async <T>(path: string): Promise<T[]> => {
      const response = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal,
      });
      if (!response.ok) {
        throw new Error(
          `GET ${path} of the exposure API answered ${
            response.status
          }: ${errorMessage(await response.text())}`,
        );
      }
      const body = (await response.json()) as { items?: T[] };
      if (!Array.isArray(body.items)) {
        throw new Error(`GET ${path} of the exposure API has no items list`);
      }
      return body.items;
    };
    // Both settle before either failure is thrown, so a pass that fails
    // always reports the same first failure.
    const [pools, allocations] = await Promise.allSettled([
      get<PoolSummary>('/pools'),
      get<Allocation>('/allocations'),
    ]);
    if (pools.status === 'rejected') {
      throw pools.reason;
    }
    if (allocations.status === 'rejected') {
      throw allocations.reason;
    }
    return { baseUrl, pools: pools.value, allocations: allocations.value };
  }
}

/** The message of Backstage's error body, or the start of the raw text. */
function errorMessage(text: string): string {
  try {
    const message = JSON.parse(text)?.error?.message;
    if (typeof message === 'string') {
      return message;
    }
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  return text.slice(0, 300);
}
