import { useApi } from '@backstage/core-plugin-api';
import { useEffect, useState } from 'react';
import { DryRunResult, exposureApiRef, ExposureRequestInput } from '../../api';

export interface DryRunState {
  loading: boolean;
  result?: DryRunResult;
  error?: Error;
}

/** Quiet time after the last keystroke before asking the backend again. */
export const DRY_RUN_DEBOUNCE_MS = 400;

/**
 * Asks the backend for the guardrail verdict of `input` whenever it settles.
 * Answers to superseded inputs are dropped, so a slow reply never overwrites a
 * newer one.
 */
export function useDryRun(
  input: ExposureRequestInput | undefined,
): DryRunState {
  const api = useApi(exposureApiRef);
  const [state, setState] = useState<DryRunState>({ loading: false });
  const key = input ? JSON.stringify(input) : '';

  useEffect(() => {
    if (!input) {
      setState({ loading: false });
      return undefined;
    }
    const abort = new AbortController();
    setState(previous => ({ ...previous, loading: true }));
    const timer = setTimeout(() => {
      api.dryRun(input).then(
        result => {
          if (!abort.signal.aborted) setState({ loading: false, result });
        },
        error => {
          if (!abort.signal.aborted) setState({ loading: false, error });
        },
      );
    }, DRY_RUN_DEBOUNCE_MS);
    abort.signal.addEventListener('abort', () => clearTimeout(timer));
    return () => abort.abort();
    // `key` stands for `input`: a new object with the same content is no change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  return state;
}
