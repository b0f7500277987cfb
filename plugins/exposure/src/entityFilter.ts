import type { Entity } from '@backstage/catalog-model';
import { POOL_ANNOTATION } from './components/EntityExposure/useEntityExposures';

/**
 * Components, and the `ip-pool` / `vip` Resources of Portico's catalog module,
 * have exposures to show.
 */
export function isExposureAvailable(entity: Entity): boolean {
  const kind = entity.kind.toLowerCase();
  return (
    kind === 'component' ||
    (kind === 'resource' &&
      Boolean(entity.metadata.annotations?.[POOL_ANNOTATION]))
  );
}
