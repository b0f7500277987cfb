import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentSummary } from '@portico/plugin-exposure-common';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { exposureApiRef } from '../../api';
import { ErrorAlert } from '../shared';

const columns: TableColumn<SegmentSummary>[] = [
  { title: 'Segment', field: 'name', highlight: true },
  { title: 'Description', field: 'description' },
  { title: 'CIDRs', render: s => s.cidrs.join(', ') },
  { title: 'VLAN', render: s => s.vlan ?? '—' },
  { title: 'Modes', render: s => s.modes.map(m => m.toUpperCase()).join(', ') },
  {
    title: 'BGP peers',
    render: s =>
      s.bgpPeers.length === 0
        ? '—'
        : s.bgpPeers.map(p => (
            <div key={`${p.address}:${p.port}`}>
              {p.address} AS{p.asn} (local AS{p.localAsn}, hold {p.holdTime}s
              {p.hasPassword ? ', TCP MD5' : ''})
            </div>
          )),
  },
  { title: 'Reserved', render: s => s.reserved.join(', ') || '—' },
  { title: 'Clusters', render: s => s.clusters.join(', ') || '—' },
  { title: 'Pools', render: s => s.pools.join(', ') || '—' },
];

/** The network team's segments, read-only: they live in reviewed config. */
export function SegmentsTab() {
  const api = useApi(exposureApiRef);
  const segments = useAsync(() => api.listSegments(), [api]);
  if (segments.loading) return <Progress />;
  if (segments.error) {
    return (
      <ErrorAlert title="Could not load segments" error={segments.error} />
    );
  }
  return (
    <>
      <Typography variant="body2" color="textSecondary" paragraph>
        Segments and BGP peers are declared by the network team in
        app-config.yaml (exposure.segments) and reviewed in Git; they are
        read-only here.
      </Typography>
      <Table<SegmentSummary>
        title="Network segments"
        columns={columns}
        data={segments.value ?? []}
        options={{ paging: false, search: false }}
      />
    </>
  );
}
