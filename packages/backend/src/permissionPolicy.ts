import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { exposureAdminPermissions } from '@portico/plugin-exposure-common';

/**
 * Permissions only members of the platform admin group hold. Portico's own
 * permissions (approve, manage pools, release any, read audit) are added here
 * by name so this file stays the one place that says who may do what.
 */
export const platformAdminPermissions: ReadonlySet<string> = new Set<string>([
  'catalog.entity.delete',
  'catalog.location.create',
  'catalog.location.delete',
  // approve, release any, manage pools, read audit
  ...exposureAdminPermissions.map(p => p.name),
]);

/**
 * Everyone signed in may read the catalog, run templates and ask for exposure;
 * members of `portico.platformAdminGroup` may also approve and manage. Nothing is
 * allowed to a request without a user.
 */
export class PorticoPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): PorticoPermissionPolicy {
    const ref =
      config.getOptionalString('portico.platformAdminGroup') ??
      'group:default/platform-team';
    return new PorticoPermissionPolicy(
      stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'group' })),
    );
  }

  constructor(private readonly adminGroupRef: string) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    if (platformAdminPermissions.has(request.permission.name)) {
      return {
        result: this.isPlatformAdmin(user)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }

  isPlatformAdmin(user: PolicyQueryUser): boolean {
    return user.info.ownershipEntityRefs.includes(this.adminGroupRef);
  }
}
