import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// The module runs inside the real plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import exposurePlugin from '@portico/plugin-exposure-backend';
import { exposureAdminPermissions } from '@portico/plugin-exposure-common';
import knexFactory from 'knex';
import type { Server } from 'node:http';
import { exposureModuleKubernetes } from '../module';
import type { PortalCluster } from './portalCluster';

/** A platform admin and a developer, as request headers. */
export const PAT = mockCredentials.user.header('user:default/pat');
export const ALICE = mockCredentials.user.header('user:default/alice');

const groups: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-shop'],
  'user:default/pat': ['group:default/platform-team'],
};

/**
 * The portal backend (the exposure plugin with this module) on SQLite, pointed at
 * the test cluster as `test`: platform-team members hold the admin permissions.
 */
export async function startPortalBackend(
  cluster: PortalCluster,
  exposure: object,
  entities: any[] = [],
): Promise<{ server: Server; stop: () => Promise<void> }> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const admin = new Set(exposureAdminPermissions.map(p => p.name));
  const groupsOf = (ref: string) => [ref, ...(groups[ref] ?? [])];
  const backend = await startTestBackend({
    features: [
      exposurePlugin,
      exposureModuleKubernetes,
      mockServices.database.factory({ knex }),
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          exposure,
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: JSON.parse(JSON.stringify([cluster.entry('test')])),
              },
            ],
          },
        },
      }),
      mockServices.userInfo.mock({
        async getUserInfo(credentials) {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return { userEntityRef: ref, ownershipEntityRefs: groupsOf(ref) };
        },
      }).factory,
      mockServices.permissions.mock({
        async authorize(requests, options) {
          const ref =
            (options.credentials.principal as { userEntityRef?: string })
              .userEntityRef ?? '';
          const isAdmin = groupsOf(ref).includes('group:default/platform-team');
          return requests.map(r => ({
            result:
              'permission' in r && admin.has(r.permission.name) && !isAdmin
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })) as any;
        },
      }).factory,
    ],
  });
  return {
    server: backend.server,
    stop: async () => {
      await backend.stop();
      await knex.destroy();
    },
  };
}
