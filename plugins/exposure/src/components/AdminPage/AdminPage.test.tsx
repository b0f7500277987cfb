import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ExposureApiError, exposureApiRef } from '../../api';
import { FreshPermissionCache } from '../../__testUtils__/FreshPermissionCache';
import {
  allocation,
  auditEvent,
  exposureRequest,
  mockExposureApi,
  pools,
  segments,
} from '../../__testUtils__/fixtures';
import { AdminPageContent } from './AdminPage';

jest.setTimeout(60_000);

function render(
  api: ReturnType<typeof mockExposureApi>,
  options: { allowed?: boolean; route?: string } = {},
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <AdminPageContent />
    </FreshPermissionCache>,
    {
      apis: [
        [exposureApiRef, api],
        mockApis.permission({
          authorize:
            options.allowed === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
      ],
      initialRouteEntries: [options.route ?? '/exposure/admin'],
    },
  );
}

describe('AdminPageContent', () => {
  it('tells users without the manage permission they are not allowed', async () => {
    const api = mockExposureApi();
    render(api, { allowed: false });
    expect(await screen.findByText('Not allowed')).toBeInTheDocument();
    expect(screen.getByText(/exposure\.pool\.manage/)).toBeInTheDocument();
    expect(api.listPools).not.toHaveBeenCalled();
  });

  describe('pools', () => {
    it('shows progress while pools load', async () => {
      const api = mockExposureApi();
      render(api);
      await waitFor(() => expect(api.listPools).toHaveBeenCalled());
      await waitFor(() =>
        expect(screen.getByTestId('progress')).toBeInTheDocument(),
      );
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
    });

    it("shows the backend's message when pools cannot be loaded", async () => {
      render(
        mockExposureApi({
          listPools: jest.fn(async () => {
            throw new ExposureApiError('database is locked', 500);
          }),
        }),
      );
      expect(await screen.findByText('database is locked')).toBeInTheDocument();
    });

    it('says when no pool is configured', async () => {
      render(mockExposureApi({ listPools: jest.fn(async () => []) }));
      expect(
        await screen.findByText(/No pools are configured/),
      ).toBeInTheDocument();
    });

    it('lists each pool with intent, segment, VLAN, mode and a usage bar', async () => {
      render(mockExposureApi({ listPools: jest.fn(async () => pools) }));
      const row = (
        await screen.findByRole('button', { name: 'prod-external' })
      ).closest('tr')!;
      for (const text of ['production-external', 'dmz · VLAN 120', 'L2']) {
        expect(within(row).getByText(text)).toBeInTheDocument();
      }
      const bar = within(row).getByRole('meter');
      expect(bar).toHaveAttribute(
        'aria-label',
        '3 allocated, 2 reserved, 15 free of 20',
      );
      expect(bar).toHaveAttribute('aria-valuenow', '15');
    });

    it('downloads the pool table as CSV and JSON', async () => {
      const api = mockExposureApi({
        listPools: jest.fn(async () => pools),
        exportPools: jest.fn(async (format: string) =>
          format === 'csv' ? 'pool,range\n' : '{"items":[]}',
        ),
      });
      const blobs: Blob[] = [];
      const createObjectURL = jest.fn((blob: Blob) => {
        blobs.push(blob);
        return 'blob:pools';
      });
      const revokeObjectURL = jest.fn();
      Object.assign(URL, { createObjectURL, revokeObjectURL });
      const names: string[] = [];
      const click = jest
        .spyOn(HTMLAnchorElement.prototype, 'click')
        .mockImplementation(function recordDownload(this: HTMLAnchorElement) {
          names.push(this.download);
        });
      render(api);
      const user = userEvent.setup();
      await user.click(
        await screen.findByRole('button', { name: 'Download CSV' }),
      );
      await user.click(screen.getByRole('button', { name: 'Download JSON' }));
      await waitFor(() =>
        expect(names).toEqual(['portico-pools.csv', 'portico-pools.json']),
      );
      expect(blobs.map(b => b.type)).toEqual(['text/csv', 'application/json']);
      expect(await blobs[0].text()).toBe('pool,range\n');
      expect(revokeObjectURL).toHaveBeenCalledTimes(2);
      click.mockRestore();
    });

    it("shows the backend's message when the export fails", async () => {
      render(
        mockExposureApi({
          listPools: jest.fn(async () => pools),
          exportPools: jest.fn(async () => {
            throw new ExposureApiError(
              'you lack the permission exposure.read',
              403,
            );
          }),
        }),
      );
      await userEvent.click(
        await screen.findByRole('button', { name: 'Download CSV' }),
      );
      expect(
        await screen.findByText('you lack the permission exposure.read'),
      ).toBeInTheDocument();
    });
  });

  describe('pool detail', () => {
    const many = Array.from({ length: 3000 }, (_, i) => allocation(i));

    it('pages through thousands of allocations, sorted by address', async () => {
      const api = mockExposureApi({
        getPool: jest.fn(async () => pools[0]),
        listAllocations: jest.fn(async () => [...many].reverse()),
      });
      render(api, { route: '/exposure/admin?tab=pools&pool=prod-external' });
      expect(await screen.findByText('Allocations (3000)')).toBeInTheDocument();
      expect(api.listAllocations).toHaveBeenCalledWith({
        pool: 'prod-external',
      });
      const rows = screen
        .getAllByRole('row')
        .filter(r => within(r).queryByText(/^10\.40\./));
      expect(rows).toHaveLength(50);
      // Numeric, not textual: 10.40.0.2 comes before 10.40.0.10.
      expect(
        rows.slice(0, 3).map(r => r.querySelector('td')!.textContent),
      ).toEqual(['10.40.0.1', '10.40.0.2', '10.40.0.3']);
      expect(screen.getAllByText('1-50 of 3000').length).toBeGreaterThan(0);
    });

    it('filters the allocations by service', async () => {
      render(
        mockExposureApi({
          getPool: jest.fn(async () => pools[0]),
          listAllocations: jest.fn(async () => many),
        }),
        { route: '/exposure/admin?pool=prod-external' },
      );
      await screen.findByText('Allocations (3000)');
      fireEvent.change(screen.getByPlaceholderText('Filter'), {
        target: { value: 'svc-2999' },
      });
      await waitFor(() =>
        expect(screen.getAllByText('1-1 of 1').length).toBeGreaterThan(0),
      );
      expect(screen.getByText('apps/svc-2999')).toBeInTheDocument();
    });

    it('says when nothing of the pool is allocated', async () => {
      render(
        mockExposureApi({
          getPool: jest.fn(async () => pools[1]),
          listAllocations: jest.fn(async () => []),
        }),
        { route: '/exposure/admin?pool=scratch' },
      );
      expect(
        await screen.findByText('No address of this pool is allocated.'),
      ).toBeInTheDocument();
      expect(screen.getByText('72 h')).toBeInTheDocument();
    });

    it("shows the backend's message for an unknown pool", async () => {
      render(
        mockExposureApi({
          getPool: jest.fn(async () => {
            throw new ExposureApiError('no pool named nope', 404);
          }),
          listAllocations: jest.fn(async () => []),
        }),
        { route: '/exposure/admin?pool=nope' },
      );
      expect(await screen.findByText('no pool named nope')).toBeInTheDocument();
    });
  });

  describe('approvals', () => {
    const route = '/exposure/admin?tab=approvals';

    it('says when the queue is empty', async () => {
      render(mockExposureApi({ listRequests: jest.fn(async () => []) }), {
        route,
      });
      expect(
        await screen.findByText('No request waits for approval'),
      ).toBeInTheDocument();
    });

    it("shows the backend's message when the queue cannot load", async () => {
      render(
        mockExposureApi({
          listRequests: jest.fn(async () => {
            throw new ExposureApiError('exposure backend unavailable', 503);
          }),
        }),
        { route },
      );
      expect(
        await screen.findByText('exposure backend unavailable'),
      ).toBeInTheDocument();
    });

    it('shows the guardrail reasons and approves with a comment', async () => {
      const request = exposureRequest();
      const api = mockExposureApi({
        listRequests: jest.fn(async () => [request]),
        approveRequest: jest.fn(async () => ({
          ...request,
          state: 'active' as const,
          address: '10.40.20.124',
        })),
      });
      render(api, { route });
      const card = await screen.findByTestId(`approval-${request.id}`);
      expect(card).toHaveTextContent(
        'pool prod-external needs a platform admin to approve',
      );
      expect(card).toHaveTextContent('“public payments API”');
      expect(api.listRequests).toHaveBeenCalledWith({ state: 'pending' });
      const user = userEvent.setup();
      await user.type(within(card).getByRole('textbox'), 'ok for launch');
      await user.click(within(card).getByRole('button', { name: 'Approve' }));
      expect(api.approveRequest).toHaveBeenCalledWith(
        request.id,
        'ok for launch',
      );
      expect(
        await screen.findByText(
          'payments/edge-api: approved, address 10.40.20.124',
        ),
      ).toBeInTheDocument();
      expect(
        screen.queryByTestId(`approval-${request.id}`),
      ).not.toBeInTheDocument();
    });

    it("keeps the request in the queue with the backend's refusal", async () => {
      const request = exposureRequest();
      const api = mockExposureApi({
        listRequests: jest.fn(async () => [request]),
        rejectRequest: jest.fn(async () => {
          throw new ExposureApiError('nobody approves their own request', 403);
        }),
      });
      render(api, { route });
      const card = await screen.findByTestId(`approval-${request.id}`);
      await userEvent.click(
        within(card).getByRole('button', { name: 'Reject' }),
      );
      expect(
        await within(card).findByText('nobody approves their own request'),
      ).toBeInTheDocument();
      expect(api.rejectRequest).toHaveBeenCalledWith(request.id, undefined);
    });
  });

  describe('audit trail', () => {
    const route = '/exposure/admin?tab=audit';

    it('shows the timeline and an intact chain', async () => {
      const api = mockExposureApi({
        listAuditEvents: jest.fn(async () => [
          auditEvent(2, {
            action: 'request.approved',
            actor: 'user:default/pat',
            before: { state: 'pending' },
            after: { state: 'active' },
          }),
          auditEvent(1),
        ]),
        verifyAuditChain: jest.fn(async () => ({ valid: true, checked: 2 })),
      });
      render(api, { route });
      expect(await screen.findByTestId('chain-verification')).toHaveTextContent(
        'Audit chain intact: 2 events verified',
      );
      const timeline = await screen.findByRole('list', {
        name: 'Audit timeline',
      });
      const items = within(timeline).getAllByRole('listitem');
      expect(items[0]).toHaveTextContent(
        'request.approved by user:default/pat pending → active',
      );
      expect(items[1]).toHaveTextContent(
        'request.created by user:default/alice',
      );
    });

    it('names the event where the chain breaks', async () => {
      render(
        mockExposureApi({
          listAuditEvents: jest.fn(async () => []),
          verifyAuditChain: jest.fn(async () => ({
            valid: false,
            checked: 17,
            brokenAt: 12,
            reason: 'hash does not match the row',
          })),
        }),
        { route },
      );
      expect(await screen.findByTestId('chain-verification')).toHaveTextContent(
        'Audit chain broken at event #12: hash does not match the row',
      );
      expect(
        await screen.findByText('No audit event matches'),
      ).toBeInTheDocument();
    });

    it('sends the filters to the backend', async () => {
      const api = mockExposureApi({
        listAuditEvents: jest.fn(async () => []),
        verifyAuditChain: jest.fn(async () => ({ valid: true, checked: 0 })),
      });
      render(api, { route });
      await screen.findByText('No audit event matches');
      fireEvent.change(screen.getByLabelText('Actor'), {
        target: { value: 'user:default/pat' },
      });
      fireEvent.change(screen.getByLabelText('Action'), {
        target: { value: 'request.approved' },
      });
      fireEvent.change(screen.getByLabelText('Since'), {
        target: { value: '2026-11-25T10:00' },
      });
      fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
      await waitFor(() =>
        expect(api.listAuditEvents).toHaveBeenLastCalledWith({
          actor: 'user:default/pat',
          action: 'request.approved',
          subjectId: undefined,
          since: new Date('2026-11-25T10:00').toISOString(),
          until: undefined,
          limit: 500,
        }),
      );
    });

    it("shows the backend's refusal", async () => {
      render(
        mockExposureApi({
          listAuditEvents: jest.fn(async () => {
            throw new ExposureApiError(
              'you lack the permission exposure.audit.read',
              403,
            );
          }),
          verifyAuditChain: jest.fn(async () => {
            throw new ExposureApiError(
              'you lack the permission exposure.audit.read',
              403,
            );
          }),
        }),
        { route },
      );
      expect(
        await screen.findAllByText(
          'you lack the permission exposure.audit.read',
        ),
      ).toHaveLength(2);
    });
  });

  describe('segments', () => {
    const route = '/exposure/admin?tab=segments';

    it('lists segments read-only with their peers', async () => {
      render(mockExposureApi({ listSegments: jest.fn(async () => segments) }), {
        route,
      });
      const row = (await screen.findByText('Internet-facing VLAN')).closest(
        'tr',
      )!;
      expect(row).toHaveTextContent('10.40.20.0/24');
      expect(row).toHaveTextContent('L2, BGP');
      expect(row).toHaveTextContent(
        '10.40.20.1 AS64500local AS64512 · hold 90s · TCP MD5',
      );
      expect(screen.getByText(/read-only here/)).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /edit|delete/i })).toBeNull();
    });

    it("shows the backend's message", async () => {
      render(
        mockExposureApi({
          listSegments: jest.fn(async () => {
            throw new ExposureApiError('exposure backend unavailable', 503);
          }),
        }),
        { route },
      );
      expect(
        await screen.findByText('exposure backend unavailable'),
      ).toBeInTheDocument();
    });
  });

  it('switches tabs through the URL', async () => {
    render(
      mockExposureApi({
        listPools: jest.fn(async () => pools),
        listSegments: jest.fn(async () => segments),
      }),
    );
    await screen.findByRole('button', { name: 'prod-external' });
    await userEvent.click(
      screen.getByRole('tab', { name: 'Network segments' }),
    );
    expect(await screen.findByText('Internet-facing VLAN')).toBeInTheDocument();
  });

  describe('clusters', () => {
    it('shows each cluster, unmanaged Services, drift and live exposures', async () => {
      const api = mockExposureApi({
        getClusters: jest.fn(async () => ({
          clusters: [
            {
              name: 'demo',
              url: 'https://k8s',
              reachable: true,
              failures: 0,
              lastSyncAt: '2026-11-25T10:00:00Z',
            },
            {
              name: 'edge',
              url: 'https://k8s-2',
              reachable: false,
              failures: 3,
              lastError: 'forbidden: no rights',
              nextAttemptAt: '2026-11-25T10:01:00Z',
            },
          ],
          unmanaged: [
            {
              cluster: 'demo',
              namespace: 'shop',
              name: 'handmade',
              addresses: [],
            },
          ],
          drift: [
            {
              kind: 'address-not-allocated',
              cluster: 'demo',
              message:
                'Service shop/web holds 192.0.2.99, which the portal did not allocate to it',
            },
          ],
          exposures: [
            {
              requestId: 'r1',
              cluster: 'demo',
              namespace: 'payments',
              serviceName: 'edge-api',
              address: '192.0.2.10',
              grant: 'g',
              state: 'assigned',
              announcedBy: ['node-a'],
              bgpSessions: [
                {
                  node: 'node-a',
                  peer: 'r1',
                  peerAddress: '192.0.2.1',
                  state: 'Established',
                },
              ],
            },
          ],
        })),
      });
      render(api, { route: '/exposure/admin?tab=clusters' });
      expect(await screen.findByText('unreachable')).toBeInTheDocument();
      expect(screen.getByText(/forbidden: no rights/)).toBeInTheDocument();
      expect(screen.getByText('shop/handmade')).toBeInTheDocument();
      expect(screen.getByText(/did not allocate/)).toBeInTheDocument();
      expect(screen.getByText('node-a')).toBeInTheDocument();
      expect(
        screen.getByText('node-a → 192.0.2.1: Established'),
      ).toBeInTheDocument();
    });

    it('adopts a cluster: a dry run first, then exactly what it listed', async () => {
      const report = {
        cluster: 'demo',
        dryRun: true,
        token: 'tok-1',
        adopt: [
          {
            namespace: 'shop',
            serviceName: 'web',
            address: '192.0.2.11',
            pool: 'edge',
            segment: 'dc1',
            owner: 'group:default/team-shop',
            entityRef: 'component:default/web-shop',
            ownerFrom: 'catalog' as const,
            ports: [{ port: 443, protocol: 'TCP' as const }],
          },
        ],
        skipped: [
          {
            namespace: 'orphans',
            serviceName: 'x',
            address: '192.0.2.13',
            reason: 'no-owner' as const,
            message: 'no backstage.io/kubernetes-id label or annotation',
          },
        ],
        unmatchedPools: [
          {
            name: 'lab-side',
            addresses: ['198.51.100.0/28'],
            suggestedConfig: 'exposure:\n  pools:\n    - name: lab-side\n',
          },
        ],
        enforceWouldRemove: [
          { namespace: 'orphans', serviceName: 'x', addresses: ['192.0.2.13'] },
        ],
      };
      const api = mockExposureApi({
        getClusters: jest.fn(async () => ({
          clusters: [
            { name: 'demo', url: 'https://k8s', reachable: true, failures: 0 },
          ],
          unmanaged: [],
          drift: [],
          exposures: [],
        })),
        adoptCluster: jest.fn(
          async (_cluster: string, body: { dryRun: boolean }) =>
            body.dryRun
              ? report
              : {
                  ...report,
                  dryRun: false,
                  adopted: [
                    {
                      requestId: 'r-9',
                      namespace: 'shop',
                      serviceName: 'web',
                      address: '192.0.2.11',
                    },
                  ],
                },
        ),
      });
      render(api, { route: '/exposure/admin?tab=clusters' });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Dry run' }),
      );
      expect(api.adoptCluster).toHaveBeenCalledWith('demo', { dryRun: true });
      expect(
        await screen.findByText(/Dry run of demo: nothing written/),
      ).toBeInTheDocument();
      expect(screen.getByText('Would adopt (1)')).toBeInTheDocument();
      expect(screen.getByText('shop/web')).toBeInTheDocument();
      expect(
        screen.getByText('component:default/web-shop'),
      ).toBeInTheDocument();
      expect(screen.getByText('no-owner')).toBeInTheDocument();
      expect(screen.getByTestId('snippet-lab-side').textContent).toContain(
        'name: lab-side',
      );
      expect(screen.getByText('orphans/x: 192.0.2.13')).toBeInTheDocument();
      await userEvent.click(
        screen.getByRole('button', { name: 'Adopt 1 Services' }),
      );
      expect(api.adoptCluster).toHaveBeenLastCalledWith('demo', {
        dryRun: false,
        token: 'tok-1',
      });
      expect(
        await screen.findByText(/Adopted 1 Services of demo/),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: /^Adopt \d/ }),
      ).not.toBeInTheDocument();
    });

    it("shows the backend's message when the clusters cannot be read", async () => {
      const api = mockExposureApi({
        getClusters: jest.fn(async () => {
          throw new ExposureApiError('database is down', 500);
        }),
      });
      render(api, { route: '/exposure/admin?tab=clusters' });
      expect(await screen.findByText(/database is down/)).toBeInTheDocument();
    });
  });
});
