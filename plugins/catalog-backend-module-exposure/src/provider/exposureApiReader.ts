import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  type Allocation,
  type PoolSummary,
  MAX_ADDRESSES_PER_QUERY,
} from '@portico/plugin-exposure-common';

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

  /** Every pool and every allocation. */
  async read(signal?: AbortSignal): Promise<ExposureSnapshot> {
    const { baseUrl, get } = await this.client(signal);
    const [pools, allocations] = await settleBoth(
      get<PoolSummary>('/pools'),
      get<Allocation>('/allocations'),
    );
    return { baseUrl, pools, allocations };
  }

  /** Every pool, and the allocations of these addresses only. */
  async readAddresses(
    addresses: string[],
    signal?: AbortSignal,
  ): Promise<ExposureSnapshot> {
    const { baseUrl, get } = await this.client(signal);
    const chunks: string[][] = [];
    for (let i = 0; i < addresses.length; i += MAX_ADDRESSES_PER_QUERY) {
      chunks.push(addresses.slice(i, i + MAX_ADDRESSES_PER_QUERY));
    }
    const [pools, allocations] = await settleBoth(
      get<PoolSummary>('/pools'),
      Promise.all(
        chunks.map(chunk =>
          get<Allocation>(
            `/allocations?address=${encodeURIComponent(chunk.join(','))}`,
          ),
        ),
      ).then(lists => lists.flat()),
    );
    return { baseUrl, pools, allocations };
  }

  private async client(signal?: AbortSignal) {
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
    return { baseUrl, get };
  }
}

/**
 * Both settle before either failure is thrown, so a pass that fails always
 * reports the same first failure.
 */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
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
