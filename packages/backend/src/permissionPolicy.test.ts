import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { PorticoPermissionPolicy } from './permissionPolicy';

function userIn(...ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {} as PolicyQueryUser['credentials'],
    expiresInSeconds: 3600,
  } as PolicyQueryUser;
}

const deleteEntity = createPermission({
  name: 'catalog.entity.delete',
  attributes: { action: 'delete' },
});
const readEntity = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
});

describe('PorticoPermissionPolicy', () => {
  const policy = PorticoPermissionPolicy.fromConfig(
    new ConfigReader({
      portico: { platformAdminGroup: 'platform-team' },
    }),
  );
  const admin = userIn('user:default/pat', 'group:default/platform-team');
  const appTeam = userIn('user:default/alice', 'group:default/team-payments');

  it('lets platform admins do admin-only actions and nobody else', async () => {
    await expect(
      policy.handle({ permission: deleteEntity }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: deleteEntity }, appTeam),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets every signed-in user read', async () => {
    await expect(
      policy.handle({ permission: readEntity }, appTeam),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies a request that carries no user', async () => {
    await expect(policy.handle({ permission: readEntity })).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('reads a bare group name as a group entity ref in the default namespace', () => {
    expect(policy.isPlatformAdmin(admin)).toBe(true);
    expect(policy.isPlatformAdmin(appTeam)).toBe(false);
  });
});
