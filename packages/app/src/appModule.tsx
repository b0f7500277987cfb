import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { DemoSignInPage } from './DemoSignInPage';

/** Sign-in: pick a demo user (see `auth.providers.demo`), or the guest. */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => props => <DemoSignInPage {...props} />,
  },
});

export const appModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
