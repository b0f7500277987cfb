import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { exposureApiRef } from './api';
import { ExposureAdminPage } from './plugin';
import { Route, Routes } from 'react-router-dom';
import { FreshPermissionCache } from './__testUtils__/FreshPermissionCache';
import { mockExposureApi, pools } from './__testUtils__/fixtures';

// Rendering a whole page is slow on a loaded CI machine.
jest.setTimeout(60_000);

describe('the legacy frontend system exports', () => {
  it('mount the admin page with its own header', async () => {
    await renderInTestApp(
      <FreshPermissionCache>
        <TestApiProvider
          apis={[
            [
              exposureApiRef,
              mockExposureApi({ listPools: jest.fn(async () => pools) }),
            ],
            [
              permissionApiRef,
              mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
            ],
          ]}
        >
          <Routes>
            <Route path="/exposure/admin" element={<ExposureAdminPage />} />
          </Routes>
        </TestApiProvider>
      </FreshPermissionCache>,
      { routeEntries: ['/exposure/admin'] },
    );
    expect(
      await screen.findByRole('heading', { name: 'Exposure admin' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'prod-external' }),
    ).toBeInTheDocument();
  });
});
