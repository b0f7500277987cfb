import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ComponentDirectory } from './AdoptionService';
import { KUBERNETES_ID } from './planAdoption';

/**
 * The Backstage Kubernetes plugin's convention: a workload labelled
 * `backstage.io/kubernetes-id: X` belongs to the entity annotated the same.
 * Its owner is the entity's `spec.owner`, as a full group reference.
 */
export function catalogComponents(
  catalog: CatalogService,
  ownCredentials: () => Promise<BackstageCredentials>,
): ComponentDirectory {
  return {
    async byKubernetesId(ids) {
      const out = new Map<string, { entityRef: string; owner: string }>();
      if (ids.length === 0) return out;
      const { items } = await catalog.getEntities(
        {
          filter: { [`metadata.annotations.${KUBERNETES_ID}`]: ids },
          fields: ['kind', 'metadata', 'spec.owner'],
        },
        { credentials: await ownCredentials() },
      );
      for (const entity of items) {
        const id = entity.metadata.annotations?.[KUBERNETES_ID];
        const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
        if (!id || typeof owner !== 'string' || out.has(id)) continue;
        out.set(id, {
          entityRef: stringifyEntityRef(entity),
          owner: stringifyEntityRef(
            parseEntityRef(owner, {
              defaultKind: 'group',
              defaultNamespace: entity.metadata.namespace ?? 'default',
            }),
          ),
        });
      }
      return out;
    },
  };
}
