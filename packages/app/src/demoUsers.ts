import { parseEntityRef } from '@backstage/catalog-model';
import { ConfigApi, IdentityApi } from '@backstage/core-plugin-api';

/** One user offered on the demo sign-in page. */
export interface DemoUser {
  userEntityRef: string;
  name: string;
  description?: string;
}

/** The request header the backend's `demo` provider reads the choice from. */
export const DEMO_USER_HEADER = 'x-portico-demo-user';

const CHOICE_KEY = 'portico.demoUser';

/** `auth.providers.demo.users` from the frontend config, or [] when not set. */
export function readDemoUsers(config: ConfigApi): DemoUser[] {
  const users = config.getOptionalConfigArray('auth.providers.demo.users');
  return (users ?? []).map(user => {
    const userEntityRef = user.getString('userEntityRef');
    return {
      userEntityRef,
      name: parseEntityRef(userEntityRef, { defaultKind: 'user' }).name,
      description: user.getOptionalString('description'),
    };
  });
}

/** The user chosen in this browser tab, kept across reloads of the tab. */
export const demoUserChoice = {
  get(): string | undefined {
    return window.sessionStorage.getItem(CHOICE_KEY) ?? undefined;
  },
  set(userEntityRef: string) {
    window.sessionStorage.setItem(CHOICE_KEY, userEntityRef);
  },
  clear() {
    window.sessionStorage.removeItem(CHOICE_KEY);
  },
};

/** The identity, except that signing out also forgets the chosen demo user. */
export function forgetChoiceOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      demoUserChoice.clear();
      await identity.signOut();
    },
  };
}
