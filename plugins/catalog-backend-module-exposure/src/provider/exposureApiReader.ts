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
        const text = await response.text();
        throw new Error(
          `GET ${path} of the exposure API answered ${
            response.status
          }: ${text.slice(0, 300)}`,
        );
      }
      const body = (await response.json()) as { items?: T[] };
      if (!Array.isArray(body.items)) {
        throw new Error(`GET ${path} of the exposure API has no items list`);
      }
      return body.items;
    };
    const [pools, allocations] = await Promise.all([
      get<PoolSummary>('/pools'),
      get<Allocation>('/allocations'),
    ]);
    return { baseUrl, pools, allocations };
  }
}
