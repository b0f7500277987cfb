/*
 * The `demo` sign-in provider: lets a visitor of a development Portico choose
 * which configured demo user to be (an app-team member who asks, a platform
 * admin who approves) without editing configuration and restarting. It works
 * like Backstage's guest provider — and, like it, refuses to run outside a
 * development environment unless told so dangerously.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
  SignInResolver,
} from '@backstage/plugin-auth-node';

/** The request header that names the chosen demo user. */
export const DEMO_USER_HEADER = 'x-portico-demo-user';

interface DemoUsersContext {
  users: string[];
  disabled: boolean;
}

/** `pat` or `user:pat` as `user:default/pat`; throws on a malformed ref. */
function fullUserRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'user', defaultNamespace: 'default' }),
  );
}

/** The configured demo users as full entity refs. */
export function readDemoUsers(config: Config): string[] {
  return config
    .getConfigArray('users')
    .map(user => fullUserRef(user.getString('userEntityRef')));
}

export const demoUsersAuthenticator = createProxyAuthenticator<
  DemoUsersContext,
  { userEntityRef: string },
  undefined
>({
  defaultProfileTransform: async ({ userEntityRef }) => ({
    profile: { displayName: parseEntityRef(userEntityRef).name },
  }),
  initialize({ config }) {
    return {
      users: readDemoUsers(config),
      disabled:
        process.env.NODE_ENV !== 'development' &&
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !==
          true,
    };
  },
  async authenticate({ req }, { users, disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        "The demo provider cannot be used outside of a development environment unless 'auth.providers.demo.dangerouslyAllowOutsideDevelopment' is enabled",
      );
    }
    const asked = req.header(DEMO_USER_HEADER);
    if (!asked) {
      throw new InputError(`Missing the ${DEMO_USER_HEADER} header`);
    }
    let userEntityRef: string;
    try {
      userEntityRef = fullUserRef(asked);
    } catch {
      throw new InputError(`${DEMO_USER_HEADER}: "${asked}" is no user ref`);
    }
    if (!users.includes(userEntityRef)) {
      throw new NotAllowedError(
        `${userEntityRef} is not one of the demo users in auth.providers.demo.users`,
      );
    }
    return { result: { userEntityRef } };
  },
});

/** Identity and ownership come from the catalog, as for real users. */
export const signInWithCatalogUser: SignInResolver<{
  userEntityRef: string;
}> = async ({ result }, ctx) => {
  try {
    return await ctx.signInWithCatalogUser({ entityRef: result.userEntityRef });
  } catch (error) {
    // Right after a first start the catalog may not have read the users yet.
    if (isError(error) && error.name === 'NotFoundError') {
      throw new NotFoundError(
        `${result.userEntityRef} is not in the catalog yet; if Portico has just started, the catalog is still loading: try again in a few seconds`,
      );
    }
    throw error;
  }
};

export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-users-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        // Only where configured: a production config simply has no demo users.
        if (!config.has('auth.providers.demo')) return;
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: demoUsersAuthenticator,
            signInResolver: signInWithCatalogUser,
          }),
        });
      },
    });
  },
});
