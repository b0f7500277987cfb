import { TestApiProvider } from '@backstage/frontend-test-utils';
import { act, renderHook, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { DryRunResult, exposureApiRef, ExposureRequestInput } from '../../api';
import { mockExposureApi } from '../../__testUtils__/fixtures';
import { DRY_RUN_DEBOUNCE_MS, useDryRun } from './useDryRun';

const base: ExposureRequestInput = {
  entityRef: 'component:default/edge-api',
  owner: 'group:default/team-payments',
  cluster: 'demo',
  namespace: 'payments',
  serviceName: 'edge-api',
  ports: [{ port: 443, protocol: 'TCP' }],
  pool: 'prod-external',
  exposureKind: 'direct',
  justification: '',
};

function verdict(pool: string): DryRunResult {
  return { dryRun: true, pool, verdict: 'allow', reasons: [] };
}

describe('useDryRun', () => {
  it('asks once the input settles and ignores the answer to a superseded input', async () => {
    const answers: Array<(r: DryRunResult) => void> = [];
    const api = mockExposureApi({
      dryRun: jest.fn(
        () => new Promise<DryRunResult>(resolve => answers.push(resolve)),
      ),
    });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[exposureApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    const { result, rerender } = renderHook(
      ({ input }: { input?: ExposureRequestInput }) => useDryRun(input),
      { wrapper, initialProps: { input: base } },
    );
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(api.dryRun).toHaveBeenCalledTimes(1));

    // The user keeps typing while the first answer is on its way.
    rerender({ input: { ...base, pool: 'temporary' } });
    // An equal but new object is no change: no third call.
    rerender({ input: { ...base, pool: 'temporary' } });
    await waitFor(() => expect(api.dryRun).toHaveBeenCalledTimes(2));
    act(() => answers[1](verdict('temporary')));
    await waitFor(() => expect(result.current.result?.pool).toBe('temporary'));
    act(() => answers[0](verdict('prod-external')));
    await new Promise(r => setTimeout(r, DRY_RUN_DEBOUNCE_MS));
    expect(result.current.result?.pool).toBe('temporary');
    expect(api.dryRun).toHaveBeenCalledTimes(2);
  });

  it('keeps the error of a failed dry run and clears when the input is incomplete', async () => {
    const api = mockExposureApi({
      dryRun: jest.fn(async () => {
        throw new Error('pool "nope" does not exist');
      }),
    });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[exposureApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    const { result, rerender } = renderHook(
      ({ input }: { input?: ExposureRequestInput }) => useDryRun(input),
      {
        wrapper,
        initialProps: { input: base as ExposureRequestInput | undefined },
      },
    );
    await waitFor(() =>
      expect(result.current.error?.message).toBe('pool "nope" does not exist'),
    );
    rerender({ input: undefined });
    expect(result.current).toEqual({ loading: false });
  });
});
