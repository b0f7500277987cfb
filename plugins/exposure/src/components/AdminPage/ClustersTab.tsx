import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ClusterStatus,
  Drift,
  ExposureLiveState,
  UnmanagedService,
} from '@portico/plugin-exposure-common';
import { Box, Chip, Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { exposureApiRef } from '../../api';
import { ErrorAlert, Lines, nowrapCell } from '../shared';
import { AdoptionPanel } from './AdoptionPanel';

const clusterColumns: TableColumn<ClusterStatus>[] = [
  { title: 'Cluster', field: 'name', highlight: true },
  {
    title: 'State',
    render: c => (
      <Chip
        size="small"
        label={c.reachable ? 'reachable' : 'unreachable'}
        color={c.reachable ? 'primary' : 'secondary'}
      />
    ),
  },
  { title: 'Last sync', field: 'lastSyncAt', cellStyle: nowrapCell },
  {
    title: 'Error and retry',
    render: c =>
      c.lastError
        ? `${c.lastError} (next try ${c.nextAttemptAt ?? 'soon'})`
        : '—',
  },
];

const unmanagedColumns: TableColumn<UnmanagedService>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Service', render: s => `${s.namespace}/${s.name}` },
  { title: 'Addresses', render: s => <Lines items={s.addresses} /> },
  {
    title: 'Enforce grace period since',
    render: s => s.ungrantedSince ?? '—',
  },
];

const driftColumns: TableColumn<Drift>[] = [
  { title: 'Kind', field: 'kind', cellStyle: nowrapCell },
  { title: 'Cluster', field: 'cluster' },
  { title: 'What', field: 'message' },
];

const exposureColumns: TableColumn<ExposureLiveState>[] = [
  {
    title: 'Service',
    render: e => `${e.cluster}: ${e.namespace}/${e.serviceName}`,
  },
  { title: 'Address', field: 'address', cellStyle: nowrapCell },
  { title: 'State', field: 'state' },
  {
    title: 'Announced by',
    render: e => (e.announcedBy.length ? <Lines items={e.announcedBy} /> : '—'),
  },
  {
    title: 'BGP sessions',
    render: e =>
      e.bgpSessions?.length ? (
        <Lines
          items={e.bgpSessions.map(
            x =>
              `${x.node} → ${x.peerAddress}: ${x.state}${
                x.lastError ? ` (${x.lastError})` : ''
              }`,
          )}
        />
      ) : (
        '—'
      ),
  },
  { title: 'Agent says', render: e => e.message ?? '—' },
];

/**
 * What the clusters show against what the portal allocated: reachability,
 * LoadBalancer Services without a grant, drift, and each exposure's live state.
 */
export function ClustersTab() {
  const api = useApi(exposureApiRef);
  const view = useAsyncRetry(() => api.getClusters(), [api]);
  if (view.loading && !view.value) return <Progress />;
  if (view.error) {
    return (
      <ErrorAlert title="Could not load the clusters" error={view.error} />
    );
  }
  const data = view.value!;
  if (data.clusters.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No clusters are configured: add them under
        kubernetes.clusterLocatorMethods in app-config.yaml and the portal
        writes pools and grants into them.
      </Typography>
    );
  }
  return (
    <>
      <Table<ClusterStatus>
        title="Clusters"
        columns={clusterColumns}
        data={data.clusters}
        options={{ paging: false, search: false }}
      />
      <Box mt={2}>
        <AdoptionPanel clusters={data.clusters.map(c => c.name)} />
      </Box>
      <Box mt={2}>
        <Table<UnmanagedService>
          title={`Unmanaged LoadBalancer Services (${data.unmanaged.length})`}
          columns={unmanagedColumns}
          data={data.unmanaged}
          options={{ paging: data.unmanaged.length > 20, search: true }}
        />
      </Box>
      <Box mt={2}>
        <Table<Drift>
          title={`Drift (${data.drift.length})`}
          columns={driftColumns}
          data={data.drift}
          options={{ paging: data.drift.length > 20, search: true }}
        />
      </Box>
      <Box mt={2}>
        <Table<ExposureLiveState>
          title="Exposures in the clusters"
          columns={exposureColumns}
          data={data.exposures}
          options={{ paging: data.exposures.length > 20, search: true }}
        />
      </Box>
    </>
  );
}
