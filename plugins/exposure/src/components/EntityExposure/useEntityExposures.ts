import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ExposureApi, exposureApiRef } from '../../api';

/** Annotations the Portico catalog module puts on its `ip-pool` and `vip` Resources. */
export const POOL_ANNOTATION = 'portico.dev/pool';
export const REQUEST_IDS_ANNOTATION = 'portico.dev/request-ids';

/**
 * The exposures that belong to an entity: a component's own requests, every
 * request of an `ip-pool` Resource's pool, or the requests holding a `vip`
 * Resource's address.
 */
export async function loadEntityExposures(
  api: ExposureApi,
  entity: Entity,
): Promise<ExposureRequest[]> {
  const annotations = entity.metadata.annotations ?? {};
  const pool = annotations[POOL_ANNOTATION];
  if (entity.kind.toLowerCase() === 'resource' && pool) {
    const requests = await api.listRequests({ pool });
    const ids = annotations[REQUEST_IDS_ANNOTATION];
    if (!ids) return requests;
    const wanted = new Set(ids.split(',').map(id => id.trim()));
    return requests.filter(r => wanted.has(r.id));
  }
  return api.listRequests({ entityRef: stringifyEntityRef(entity) });
}

export function useEntityExposures(entity: Entity) {
  const api = useApi(exposureApiRef);
  return useAsyncRetry(
    () => loadEntityExposures(api, entity),
    [api, stringifyEntityRef(entity)],
  );
}
