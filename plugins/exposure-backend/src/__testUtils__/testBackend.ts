import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { exposureAdminPermissions } from '@portico/plugin-exposure-common';
import { Knex } from 'knex';
import { exposurePlugin } from '../plugin';
import { rawTestConfig } from './fixtures';

/** Group memberships of the test users (as the catalog would resolve them). */
export const memberships: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-payments'],
  'user:default/sam': ['group:default/team-search'],
  'user:default/pat': ['group:default/platform-team'],
};

function component(name: string, owner: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** The catalog of the test backend: who owns which component. */
export const testEntities = [
  component('edge-api', 'team-payments'),
  component('search-api', 'group:default/team-search'),
  ...Array.from({ length: 300 }, (_, i) =>
    component(`svc-${i}`, 'team-payments'),
  ),
];

const adminNames = new Set(exposureAdminPermissions.map(p => p.name));

/**
 * The whole plugin on a test backend: permissions as the Portico policy
 * decides them (admin permissions only for platform-team members).
 */
export async function startExposureBackend(
  knex: Knex,
  config: object = rawTestConfig,
  extraFeatures: BackendFeature[] = [],
) {
  const groupsOf = (ref: string) => [ref, ...(memberships[ref] ?? [])];
  return startTestBackend({
    features: [
      exposurePlugin,
      ...extraFeatures,
      mockServices.rootConfig.factory({ data: { exposure: config as any } }),
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: testEntities }),
      mockServices.userInfo.mock({
        async getUserInfo(credentials) {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return { userEntityRef: ref, ownershipEntityRefs: groupsOf(ref) };
        },
      }).factory,
      mockServices.permissions.mock({
        async authorize(requests, options) {
          const principal = options.credentials.principal as {
            type?: string;
            userEntityRef?: string;
          };
          // Like Backstage's own permission client: another plugin's service
          // credentials are allowed outright.
          if (principal.type === 'service') {
            return requests.map(() => ({
              result: AuthorizeResult.ALLOW,
            })) as any;
          }
          const ref = principal.userEntityRef ?? '';
          const admin = groupsOf(ref).includes('group:default/platform-team');
          return requests.map(r => ({
            result:
              !ref ||
              ('permission' in r && adminNames.has(r.permission.name) && !admin)
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })) as any;
        },
      }).factory,
    ],
  });
}

export const as = (ref: string) => mockCredentials.user.header(ref);
