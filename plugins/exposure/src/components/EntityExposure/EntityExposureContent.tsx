import {
  EmptyState,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import { Box, Button } from '@material-ui/core';
import { useState } from 'react';
import {
  ErrorAlert,
  formatDateTime,
  formatPorts,
  Lines,
  nowrapCell,
  RequestStateChip,
  shortRef,
} from '../shared';
import { ReleaseDialog } from './ReleaseDialog';
import { RequestExposureButton } from './RequestExposureButton';
import { useEntityExposures } from './useEntityExposures';
import { useReleasePermission } from './useReleasePermission';

/** Who let the exposure through: a person, or the pool's automatic approval. */
function approver(request: ExposureRequest): string {
  if (request.decidedBy) return shortRef(request.decidedBy, 'user');
  return request.state === 'active' ? 'automatic (policy)' : '—';
}

/** The entity tab: every exposure of the component, with release where permitted. */
export function EntityExposureContent() {
  const { entity } = useEntity();
  const exposures = useEntityExposures(entity);
  const canRelease = useReleasePermission();
  const [releasing, setReleasing] = useState<ExposureRequest>();

  const columns: TableColumn<ExposureRequest>[] = [
    {
      title: 'Address',
      field: 'address',
      render: r => r.address ?? '—',
      highlight: true,
      cellStyle: nowrapCell,
    },
    {
      title: 'Service',
      render: r => (
        <Lines items={[`${r.namespace}/${r.serviceName}`, `on ${r.cluster}`]} />
      ),
    },
    {
      title: 'Ports',
      cellStyle: nowrapCell,
      render: r => formatPorts(r.ports),
    },
    { title: 'Pool', field: 'pool', cellStyle: nowrapCell },
    { title: 'Intent', field: 'intent', cellStyle: nowrapCell },
    {
      title: 'State',
      field: 'state',
      render: r => <RequestStateChip state={r.state} />,
    },
    { title: 'Expires', render: r => formatDateTime(r.expiresAt) },
    {
      title: 'Approved by',
      cellStyle: nowrapCell,
      render: approver,
    },
    {
      title: '',
      render: r =>
        canRelease(r) ? (
          <Button
            size="small"
            color="secondary"
            onClick={() => setReleasing(r)}
          >
            Release
          </Button>
        ) : null,
    },
  ];

  if (exposures.loading && !exposures.value) return <Progress />;
  if (exposures.error) {
    return (
      <ErrorAlert title="Could not load exposures" error={exposures.error} />
    );
  }
  const requests = exposures.value ?? [];
  const isComponent = entity.kind.toLowerCase() === 'component';
  return (
    <>
      {requests.length === 0 ? (
        <EmptyState
          missing="data"
          title="No exposures yet"
          description="This component has no address from a Portico pool. Request one to publish its Service."
          action={
            isComponent ? <RequestExposureButton entity={entity} /> : undefined
          }
        />
      ) : (
        <Table<ExposureRequest>
          title="Exposures"
          columns={columns}
          data={requests}
          options={{
            paging: requests.length > 20,
            pageSize: 20,
            search: false,
          }}
        />
      )}
      {requests.length > 0 && isComponent && (
        <Box mt={2}>
          <RequestExposureButton entity={entity} />
        </Box>
      )}
      {releasing && (
        <ReleaseDialog
          request={releasing}
          onClose={released => {
            setReleasing(undefined);
            if (released) exposures.retry();
          }}
        />
      )}
    </>
  );
}
