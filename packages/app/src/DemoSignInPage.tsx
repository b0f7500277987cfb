import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
  WarningPanel,
} from '@backstage/core-components';
import {
  SignInPageProps,
  configApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import {
  DEMO_USER_HEADER,
  demoUserChoice,
  forgetChoiceOnSignOut,
  readDemoUsers,
} from './demoUsers';

/**
 * Sign-in for a development Portico: pick one of the demo users of
 * `auth.providers.demo.users` (an app-team member, a platform admin). Without
 * demo users configured it is Backstage's guest sign-in.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const users = readDemoUsers(useApi(configApiRef));
  const [chosen, setChosen] = useState(() => {
    const stored = demoUserChoice.get();
    return users.some(u => u.userEntityRef === stored) ? stored : undefined;
  });

  const ErrorComponent = useMemo(
    () =>
      function SignInFailed({ error }: { error?: Error }) {
        return (
          <DemoSignInError
            userEntityRef={chosen ?? ''}
            error={error}
            onChooseAnother={() => {
              demoUserChoice.clear();
              setChosen(undefined);
            }}
          />
        );
      },
    [chosen],
  );

  if (users.length === 0) {
    return <SignInPage {...props} providers={['guest']} />;
  }
  if (chosen) {
    return (
      <ProxiedSignInPage
        provider="demo"
        headers={{ [DEMO_USER_HEADER]: chosen }}
        ErrorComponent={ErrorComponent}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgetChoiceOnSignOut(identity))
        }
      />
    );
  }
  return (
    <Page themeId="home">
      <Header title="Portico" subtitle="Sign in as one of the demo users" />
      <Content>
        <Grid container spacing={3}>
          {users.map(user => (
            <Grid item xs={12} sm={6} md={4} key={user.userEntityRef}>
              <InfoCard title={user.name} subheader={user.userEntityRef}>
                <Typography paragraph>{user.description}</Typography>
                <Button
                  variant="outlined"
                  color="primary"
                  onClick={() => {
                    demoUserChoice.set(user.userEntityRef);
                    setChosen(user.userEntityRef);
                  }}
                >
                  Sign in as {user.name}
                </Button>
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}

/** Why signing in as the chosen user failed, with a way out. */
export function DemoSignInError(props: {
  userEntityRef: string;
  error?: Error;
  onChooseAnother: () => void;
}) {
  return (
    <Page themeId="home">
      <Header title="Portico" subtitle="Sign in as one of the demo users" />
      <Content>
        <WarningPanel
          severity="error"
          title={`Could not sign in as ${props.userEntityRef}`}
          message={props.error?.message ?? 'Unknown error'}
          defaultExpanded
        />
        <Button
          variant="outlined"
          color="primary"
          onClick={() => window.location.reload()}
        >
          Try again
        </Button>{' '}
        <Button variant="outlined" onClick={props.onChooseAnother}>
          Choose another user
        </Button>
      </Content>
    </Page>
  );
}
