import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** The owner of an entity as a full group ref (`team-a` → `group:default/team-a`). */
export function ownerRefOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || owner.length === 0) return undefined;
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}

/**
 * A request may only expose a catalog Component that its owner group owns: a
 * team cannot publish another team's service, nor one the catalog does not
 * know. Read with the requester's credentials, so what the catalog hides from
 * them does not exist for them either.
 */
export async function assertExposableEntity(
  catalog: CatalogService,
  request: { entityRef: string; owner: string },
  credentials: BackstageCredentials,
): Promise<void> {
  let ref: string;
  try {
    ref = stringifyEntityRef(parseEntityRef(request.entityRef));
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
  if (parseEntityRef(ref).kind.toLowerCase() !== 'component') {
    throw new InputError(`entityRef: ${ref} is not a Component`);
  }
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new InputError(`entityRef: ${ref} is not in the catalog`);
  }
  const owner = ownerRefOf(entity);
  if (owner !== request.owner) {
    throw new NotAllowedError(
      `entityRef: ${ref} is owned by ${owner ?? 'nobody'}, not ${
        request.owner
      }; only its owner may expose it`,
    );
  }
}
