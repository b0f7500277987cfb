import '@testing-library/jest-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { DemoSignInError, DemoSignInPage } from './DemoSignInPage';
import { demoUserChoice, forgetChoiceOnSignOut } from './demoUsers';

// The two sign-in flows it hands over to are Backstage's own, tested there;
// here they only show what they were given.
jest.mock('@backstage/core-components', () => ({
  ...jest.requireActual('@backstage/core-components'),
  ProxiedSignInPage: (props: { provider: string; headers: object }) => (
    <p>
      proxied sign-in via {props.provider} with {JSON.stringify(props.headers)}
    </p>
  ),
  SignInPage: (props: { providers: string[] }) => (
    <p>sign-in with {props.providers.join(', ')}</p>
  ),
}));

const demoConfig = {
  auth: {
    providers: {
      demo: {
        users: [
          {
            userEntityRef: 'user:default/alice',
            description: 'team-payments, owner of edge-api.',
          },
          { userEntityRef: 'user:default/pat', description: 'platform-team.' },
        ],
      },
    },
  },
};

type AppConfig = NonNullable<Parameters<typeof renderInTestApp>[1]>['config'];

function render(data: AppConfig) {
  // Backstage's sign-in pages load their translations lazily: let them suspend.
  return renderInTestApp(
    <Suspense fallback="loading">
      <DemoSignInPage onSignInSuccess={jest.fn()} />
    </Suspense>,
    {
      config: data,
    },
  );
}

describe('DemoSignInPage', () => {
  afterEach(() => demoUserChoice.clear());

  it('offers each configured demo user with what they do', async () => {
    await render(demoConfig);
    expect(
      await screen.findByRole('button', { name: 'Sign in as alice' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Sign in as pat' }),
    ).toBeInTheDocument();
    expect(screen.getByText('platform-team.')).toBeInTheDocument();
  });

  it('remembers the choice for the tab once a user is picked', async () => {
    await render(demoConfig);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Sign in as pat' }),
    );
    expect(demoUserChoice.get()).toBe('user:default/pat');
    expect(
      await screen.findByText(
        'proxied sign-in via demo with {"x-portico-demo-user":"user:default/pat"}',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sign in as alice' }),
    ).not.toBeInTheDocument();
  });

  it('is the guest sign-in when no demo users are configured', async () => {
    await render({});
    expect(await screen.findByText('sign-in with guest')).toBeInTheDocument();
  });

  it('shows why signing in failed and lets the visitor choose again', async () => {
    const onChooseAnother = jest.fn();
    await renderInTestApp(
      <Suspense fallback="loading">
        <DemoSignInError
          userEntityRef="user:default/pat"
          error={new Error('user:default/pat is not in the catalog yet')}
          onChooseAnother={onChooseAnother}
        />
      </Suspense>,
    );
    expect(
      await screen.findByText(/Could not sign in as user:default\/pat/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('user:default/pat is not in the catalog yet'),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Choose another user' }),
    );
    expect(onChooseAnother).toHaveBeenCalled();
  });

  it('forgets the choice on sign-out', async () => {
    demoUserChoice.set('user:default/pat');
    const signOut = jest.fn(async () => {});
    const identity = forgetChoiceOnSignOut({
      getProfileInfo: jest.fn(),
      getBackstageIdentity: jest.fn(),
      getCredentials: jest.fn(),
      signOut,
    });
    await identity.signOut();
    expect(signOut).toHaveBeenCalled();
    expect(demoUserChoice.get()).toBeUndefined();
  });
});
