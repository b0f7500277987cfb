import { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ExposureApiError, exposureApiRef } from '../../api';
import { requestRouteRef } from '../../routes';
import {
  edgeApiEntity,
  exposureRequest,
  mockExposureApi,
} from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/FreshPermissionCache';
import { EntityExposureCard } from './EntityExposureCard';
import { EntityExposureContent } from './EntityExposureContent';

jest.setTimeout(30_000);

const active = exposureRequest({
  id: '11111111-1111-4111-8111-111111111111',
  state: 'active',
  address: '10.40.20.121',
  decidedBy: 'user:default/pat',
  expiresAt: undefined,
  ports: [{ port: 443, protocol: 'TCP', targetPort: 8443, name: 'https' }],
});
const pending = exposureRequest({
  id: '22222222-2222-4222-8222-222222222222',
  serviceName: 'edge-api-canary',
});

function render(
  api: ReturnType<typeof mockExposureApi>,
  options: { member?: boolean; releaseAny?: boolean; entity?: Entity } = {},
  element = <EntityExposureContent />,
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <EntityProvider entity={options.entity ?? edgeApiEntity}>
        {element}
      </EntityProvider>
    </FreshPermissionCache>,
    {
      apis: [
        [exposureApiRef, api],
        mockApis.identity({
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: options.member
            ? ['user:default/alice', 'group:default/team-payments']
            : ['user:default/sam', 'group:default/team-search'],
        }),
        mockApis.permission({
          authorize: options.releaseAny
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        }),
      ],
      mountedRoutes: { '/exposure/request': requestRouteRef },
    },
  );
}

describe('EntityExposureContent', () => {
  it('shows progress while the exposures load', async () => {
    render(mockExposureApi());
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it("shows the backend's error message", async () => {
    render(
      mockExposureApi({
        listRequests: jest.fn(async () => {
          throw new ExposureApiError(
            'you lack the permission exposure.read',
            403,
          );
        }),
      }),
    );
    expect(
      await screen.findByText('you lack the permission exposure.read'),
    ).toBeInTheDocument();
  });

  it('offers to request an exposure when there is none', async () => {
    const api = mockExposureApi({ listRequests: jest.fn(async () => []) });
    render(api, { member: true });
    expect(await screen.findByText('No exposures yet')).toBeInTheDocument();
    expect(screen.getByText('Request exposure').closest('a')).toHaveAttribute(
      'href',
      '/exposure/request?entity=component%3Adefault%2Fedge-api',
    );
    expect(api.listRequests).toHaveBeenCalledWith({
      entityRef: 'component:default/edge-api',
    });
  });

  it('lists address, pool, intent, ports, state, expiry and approver', async () => {
    render(
      mockExposureApi({ listRequests: jest.fn(async () => [active, pending]) }),
      { member: true },
    );
    const row = (await screen.findByText('10.40.20.121')).closest('tr')!;
    for (const text of [
      'payments/edge-api',
      'on prod-1',
      '443/TCP → 8443 (https)',
      'prod-external',
      'production-external',
      'Active',
      'pat',
    ]) {
      expect(within(row).getByText(text)).toBeInTheDocument();
    }
    const pendingRow = screen
      .getByText('payments/edge-api-canary')
      .closest('tr')!;
    expect(within(pendingRow).getByText('Needs approval')).toBeInTheDocument();
    expect(
      within(pendingRow).queryByRole('button', { name: 'Release' }),
    ).not.toBeInTheDocument();
  });

  it('lets a member of the owning group release an active exposure with a comment', async () => {
    const released = { ...active, state: 'released' as const };
    const listRequests = jest
      .fn()
      .mockResolvedValueOnce([active])
      .mockResolvedValueOnce([released]);
    const api = mockExposureApi({
      listRequests,
      releaseRequest: jest.fn(async () => released),
    });
    render(api, { member: true });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Release' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Release 10.40.20.121?');
    await user.type(within(dialog).getByRole('textbox'), 'moved to ingress');
    await user.click(within(dialog).getByRole('button', { name: 'Release' }));
    expect(api.releaseRequest).toHaveBeenCalledWith(
      active.id,
      'moved to ingress',
    );
    expect(await screen.findByText('Released')).toBeInTheDocument();
    expect(listRequests).toHaveBeenCalledTimes(2);
  });

  it("keeps the dialog open with the backend's refusal", async () => {
    const api = mockExposureApi({
      listRequests: jest.fn(async () => [active]),
      releaseRequest: jest.fn(async () => {
        throw new ExposureApiError('request 1111 is released already', 409);
      }),
    });
    render(api, { member: true });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Release' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Release' }));
    expect(
      await within(dialog).findByText('request 1111 is released already'),
    ).toBeInTheDocument();
  });

  it('hides release from users outside the owning group without release-any', async () => {
    render(mockExposureApi({ listRequests: jest.fn(async () => [active]) }));
    await screen.findByText('10.40.20.121');
    expect(
      screen.queryByRole('button', { name: 'Release' }),
    ).not.toBeInTheDocument();
  });

  it('shows release to holders of the release-any permission', async () => {
    render(mockExposureApi({ listRequests: jest.fn(async () => [active]) }), {
      releaseAny: true,
    });
    expect(
      await screen.findByRole('button', { name: 'Release' }),
    ).toBeInTheDocument();
  });
});

describe('EntityExposureCard', () => {
  it('lists current addresses and open requests, not released ones', async () => {
    const released = exposureRequest({
      id: '33333333-3333-4333-8333-333333333333',
      state: 'released',
      address: '10.40.20.130',
    });
    render(
      mockExposureApi({
        listRequests: jest.fn(async () => [active, pending, released]),
      }),
      { member: true },
      <EntityExposureCard />,
    );
    expect(await screen.findByText('10.40.20.121')).toBeInTheDocument();
    expect(screen.getByText('no address yet')).toBeInTheDocument();
    expect(screen.queryByText('10.40.20.130')).not.toBeInTheDocument();
  });

  it('says when there is nothing', async () => {
    render(
      mockExposureApi({ listRequests: jest.fn(async () => []) }),
      {},
      <EntityExposureCard />,
    );
    expect(
      await screen.findByText('No address and no open request.'),
    ).toBeInTheDocument();
  });

  it("shows the backend's error message", async () => {
    render(
      mockExposureApi({
        listRequests: jest.fn(async () => {
          throw new ExposureApiError('exposure backend is starting', 503);
        }),
      }),
      {},
      <EntityExposureCard />,
    );
    await waitFor(() =>
      expect(
        screen.getByText('exposure backend is starting'),
      ).toBeInTheDocument(),
    );
  });
});
