import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { exposureApiRef, ExposureApiError } from '../../api';
import {
  checkoutEntity,
  edgeApiEntity,
  searchApiEntity,
  exposureRequest,
  mockExposureApi,
  pools,
} from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/FreshPermissionCache';
import { RequestPageContent } from './RequestPage';

// MUI menus under jsdom take a few seconds per interaction on a busy machine.
jest.setTimeout(30_000);

const catalogApi = catalogApiMock({
  entities: [edgeApiEntity, checkoutEntity, searchApiEntity],
});

function render(api = mockExposureApi(), entity?: string, admin = false) {
  return renderInTestApp(
    <FreshPermissionCache>
      <RequestPageContent />
    </FreshPermissionCache>,
    {
      apis: [
        [exposureApiRef, api],
        catalogApi,
        mockApis.identity({
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: [
            'user:default/alice',
            'group:default/team-payments',
          ],
        }),
        mockApis.permission({
          authorize: admin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
      ],
      initialRouteEntries: [
        entity ? `/exposure/request?entity=${entity}` : '/exposure/request',
      ],
    },
  );
}

const needsApproval = {
  dryRun: true as const,
  pool: 'prod-external',
  verdict: 'needs-approval' as const,
  reasons: [
    {
      code: 'approval-required' as const,
      verdict: 'needs-approval' as const,
      message: 'pool prod-external needs a platform admin to approve',
    },
  ],
};

/** Fills what the preselected edge-api leaves open: pool, cluster, ports. */
async function completeForm() {
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: /pool/i }));
  await user.click(
    await screen.findByRole('option', {
      name: 'prod-external (production-external)',
    }),
  );
  await user.click(screen.getByRole('button', { name: /cluster/i }));
  await user.click(await screen.findByRole('option', { name: 'prod-1' }));
  await user.type(screen.getByRole('textbox', { name: /ports/i }), '443');
  return user;
}

describe('RequestPageContent', () => {
  it('shows a progress bar while pools load', async () => {
    render();
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it("shows the backend's message when pools cannot be loaded", async () => {
    const api = mockExposureApi({
      listPools: jest.fn(async () => {
        throw new ExposureApiError(
          'you lack the permission exposure.read',
          403,
        );
      }),
    });
    render(api);
    expect(
      await screen.findByText('you lack the permission exposure.read'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Could not load pools and components'),
    ).toBeInTheDocument();
  });

  it('says what is missing before asking the backend for a verdict', async () => {
    const api = mockExposureApi({ listPools: jest.fn(async () => pools) });
    render(api);
    expect(
      await screen.findByText(/Fill in the component, .*the ports/),
    ).toBeInTheDocument();
    expect(api.dryRun).not.toHaveBeenCalled();
  });

  it('takes the preselected component, shows the live verdict, pool and free count, and submits', async () => {
    const api = mockExposureApi({
      listPools: jest.fn(async () => pools),
      dryRun: jest.fn(async () => needsApproval),
      createRequest: jest.fn(async () => exposureRequest()),
    });
    render(api, 'component:default/edge-api');
    expect(
      await screen.findByRole('textbox', { name: /component/i }),
    ).toHaveValue('component:default/edge-api');
    expect(screen.getByRole('textbox', { name: /owner group/i })).toHaveValue(
      'group:default/team-payments',
    );
    expect(screen.getByRole('textbox', { name: /service name/i })).toHaveValue(
      'edge-api',
    );
    const user = await completeForm();

    const verdict = await screen.findByTestId('verdict');
    expect(verdict).toHaveTextContent('Needs approval');
    expect(verdict).toHaveTextContent(
      'pool prod-external needs a platform admin to approve',
    );
    expect(
      screen.getByText(/production-external, segment dmz\): 15 free/),
    ).toBeInTheDocument();
    expect(api.dryRun).toHaveBeenLastCalledWith({
      entityRef: 'component:default/edge-api',
      owner: 'group:default/team-payments',
      cluster: 'prod-1',
      namespace: 'payments',
      serviceName: 'edge-api',
      ports: [{ port: 443, protocol: 'TCP' }],
      pool: 'prod-external',
      exposureKind: 'direct',
      justification: '',
    });

    await user.click(
      screen.getByRole('button', { name: 'Submit for approval' }),
    );
    expect(
      await screen.findByText(/has to approve this request/),
    ).toBeInTheDocument();
    expect(screen.getByText(/Request for edge-api/)).toHaveTextContent(
      'Needs approval',
    );
    expect(api.createRequest).toHaveBeenCalledTimes(1);
  });

  it('shows why a request is denied and does not let it be submitted', async () => {
    const api = mockExposureApi({
      listPools: jest.fn(async () => pools),
      dryRun: jest.fn(async () => ({
        dryRun: true as const,
        pool: 'prod-external',
        verdict: 'deny' as const,
        reasons: [
          {
            code: 'port-not-allowed' as const,
            verdict: 'deny' as const,
            message:
              'port 443/TCP is not allowed in pool prod-external (allowed: 8443)',
          },
        ],
      })),
    });
    render(api, 'component:default/edge-api');
    await screen.findByRole('textbox', { name: /component/i });
    await completeForm();
    const verdict = await screen.findByTestId('verdict');
    expect(verdict).toHaveTextContent('Denied');
    expect(verdict).toHaveTextContent('port 443/TCP is not allowed');
    expect(
      screen.getByRole('button', { name: 'Submit for approval' }),
    ).toBeDisabled();
  });

  it("shows the backend's refusal when the stored request fails", async () => {
    const api = mockExposureApi({
      listPools: jest.fn(async () => pools),
      dryRun: jest.fn(async () => needsApproval),
      createRequest: jest.fn(async () => {
        throw new ExposureApiError(
          'owner: you are not a member of group:default/team-payments',
          403,
        );
      }),
    });
    render(api, 'component:default/edge-api');
    await screen.findByRole('textbox', { name: /component/i });
    const user = await completeForm();
    await screen.findByTestId('verdict');
    await user.click(
      screen.getByRole('button', { name: 'Submit for approval' }),
    );
    const alert = await screen.findByText(
      'owner: you are not a member of group:default/team-payments',
    );
    expect(
      within(alert.closest('[role="alert"]') as HTMLElement).getByText(
        'The request was not stored',
      ),
    ).toBeInTheDocument();
  });

  it("offers only the user's teams' components, every component to an admin", async () => {
    const api = mockExposureApi({ listPools: jest.fn(async () => pools) });
    const { unmount } = await render(api);
    const user = userEvent.setup();
    await user.click(
      await screen.findByRole('textbox', { name: /component/i }),
    );
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual([
      expect.stringMatching(/^checkout/),
      expect.stringMatching(/^edge-api/),
    ]);
    unmount();

    await render(api, undefined, true);
    await user.click(
      await screen.findByRole('textbox', { name: /component/i }),
    );
    expect(await screen.findAllByRole('option')).toHaveLength(3);
  });

  it('picks a component from the catalog', async () => {
    const api = mockExposureApi({ listPools: jest.fn(async () => pools) });
    render(api);
    const user = userEvent.setup();
    await user.click(
      await screen.findByRole('textbox', { name: /component/i }),
    );
    await user.click(await screen.findByRole('option', { name: /checkout/ }));
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /owner group/i })).toHaveValue(
        'group:default/team-payments',
      ),
    );
  });
});
