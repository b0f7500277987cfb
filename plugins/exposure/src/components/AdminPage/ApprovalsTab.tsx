import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import { Box } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { exposureApiRef } from '../../api';
import { ErrorAlert } from '../shared';
import { ApprovalCard } from './ApprovalCard';

/** The queue of pending requests, oldest first. */
export function ApprovalsTab() {
  const api = useApi(exposureApiRef);
  const pending = useAsync(
    async () => (await api.listRequests({ state: 'pending' })).reverse(),
    [api],
  );
  const [decided, setDecided] = useState<ExposureRequest[]>([]);

  if (pending.loading) return <Progress />;
  if (pending.error) {
    return (
      <ErrorAlert
        title="Could not load the approvals queue"
        error={pending.error}
      />
    );
  }
  const done = new Set(decided.map(r => r.id));
  const open = (pending.value ?? []).filter(r => !done.has(r.id));
  return (
    <>
      {decided.map(r => (
        <Box mb={1} key={r.id}>
          <Alert severity={r.state === 'rejected' ? 'info' : 'success'}>
            {r.namespace}/{r.serviceName}:{' '}
            {r.state === 'rejected'
              ? 'rejected'
              : `approved, address ${r.address ?? 'pending allocation'}`}
          </Alert>
        </Box>
      ))}
      {open.length === 0 ? (
        <EmptyState
          missing="data"
          title="No request waits for approval"
          description="Requests to pools that need approval show up here."
        />
      ) : (
        open.map(request => (
          <Box mb={2} key={request.id}>
            <ApprovalCard
              request={request}
              onDecided={r => setDecided(previous => [r, ...previous])}
            />
          </Box>
        ))
      )}
    </>
  );
}
