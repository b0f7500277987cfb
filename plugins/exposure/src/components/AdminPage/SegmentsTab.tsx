import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentSummary } from '@portico/plugin-exposure-common';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { exposureApiRef } from '../../api';
import { ErrorAlert, Lines, nowrap, nowrapCell } from '../shared';

const columns: TableColumn<SegmentSummary>[] = [
  {
    title: 'Segment',
    field: 'name',
    highlight: true,
    render: s => (
      <>
        <div style={nowrap}>{s.name}</div>
        <Typography variant="caption" color="textSecondary">
          {s.description}
        </Typography>
      </>
    ),
  },
  { title: 'Pools', render: s => <Lines items={s.pools} /> },
  { title: 'CIDRs', render: s => <Lines items={s.cidrs} /> },
  {
    title: 'VLAN · modes',
    cellStyle: nowrapCell,
    render: s =>
      `${s.vlan ?? '—'} · ${s.modes.map(m => m.toUpperCase()).join(', ')}`,
  },
  {
    title: 'BGP peers',
    render: s =>
      s.bgpPeers.length === 0
        ? '—'
        : s.bgpPeers.map(p => (
            <div key={`${p.address}:${p.port}`} style={nowrap}>
              {p.address} AS{p.asn}
              <Typography
                variant="caption"
                color="textSecondary"
                component="div"
              >
                local AS{p.localAsn} · hold {p.holdTime}s
                {p.hasPassword ? ' · TCP MD5' : ''}
              </Typography>
            </div>
          )),
  },
  { title: 'Reserved', render: s => <Lines items={s.reserved} /> },
  { title: 'Clusters', render: s => <Lines items={s.clusters} /> },
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
