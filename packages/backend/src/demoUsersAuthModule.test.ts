import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import {
  demoUsersAuthenticator,
  signInWithCatalogUser,
} from './demoUsersAuthModule';

type Request = Parameters<typeof demoUsersAuthenticator.authenticate>[0]['req'];

const config = (extra: object = {}) =>
  new ConfigReader({
    users: [
      { userEntityRef: 'user:default/alice' },
      { userEntityRef: 'pat', description: 'platform-team' },
    ],
    ...extra,
  });

const asking = (user?: string) =>
  ({
    header: (name: string) =>
      name === 'x-portico-demo-user' ? user : undefined,
  } as unknown as Request);

describe('the demo sign-in provider', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  function inDevelopment(extra?: object) {
    process.env.NODE_ENV = 'development';
    return demoUsersAuthenticator.initialize({ config: config(extra) });
  }

  it('signs in a configured user, short refs included', async () => {
    const ctx = inDevelopment();
    await expect(
      demoUsersAuthenticator.authenticate({ req: asking('pat') }, ctx),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/pat' } });
    await expect(
      demoUsersAuthenticator.authenticate(
        { req: asking('user:default/alice') },
        ctx,
      ),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/alice' } });
  });

  it('refuses a user that is not in the list, and a missing choice', async () => {
    const ctx = inDevelopment();
    await expect(
      demoUsersAuthenticator.authenticate({ req: asking('mallory') }, ctx),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('user:default/mallory is not one'),
    });
    await expect(
      demoUsersAuthenticator.authenticate({ req: asking(undefined) }, ctx),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('refuses everyone outside development unless dangerously allowed', async () => {
    process.env.NODE_ENV = 'production';
    const ctx = demoUsersAuthenticator.initialize({ config: config() });
    await expect(
      demoUsersAuthenticator.authenticate({ req: asking('pat') }, ctx),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('dangerouslyAllowOutsideDevelopment'),
    });

    const allowed = demoUsersAuthenticator.initialize({
      config: config({ dangerouslyAllowOutsideDevelopment: true }),
    });
    await expect(
      demoUsersAuthenticator.authenticate({ req: asking('pat') }, allowed),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/pat' } });
  });
});

describe('signing a demo user in', () => {
  type Context = Parameters<typeof signInWithCatalogUser>[1];
  const info = {
    result: { userEntityRef: 'user:default/pat' },
    profile: {},
  };

  it('uses the catalog user, for their groups', async () => {
    const signIn = jest.fn(async () => ({ token: 'pat-token' }));
    await expect(
      signInWithCatalogUser(info, {
        signInWithCatalogUser: signIn,
      } as unknown as Context),
    ).resolves.toEqual({ token: 'pat-token' });
    expect(signIn).toHaveBeenCalledWith({ entityRef: 'user:default/pat' });
  });

  it('says the catalog may still be loading when the user is not there yet', async () => {
    const ctx = {
      signInWithCatalogUser: async () => {
        throw new NotFoundError('no such user');
      },
    } as unknown as Context;
    await expect(signInWithCatalogUser(info, ctx)).rejects.toThrow(
      'user:default/pat is not in the catalog yet; if Portico has just started, the catalog is still loading',
    );
  });
});
