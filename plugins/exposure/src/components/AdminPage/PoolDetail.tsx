import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  addressKey,
  Allocation,
  parseAddress,
  PoolSummary,
} from '@portico/plugin-exposure-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import useAsync from 'react-use/esm/useAsync';
import { exposureApiRef } from '../../api';
import {
  ErrorAlert,
  formatDateTime,
  formatPorts,
  nowrapCell,
  shortRef,
  UsageBar,
} from '../shared';

/** An allocation with a key that sorts 10.0.0.9 before 10.0.0.10, and IPv4 before IPv6. */
type AllocationRow = Allocation & { sortKey: string };

function withSortKey(allocation: Allocation): AllocationRow {
  let sortKey = allocation.address;
  try {
    const { family, value } = parseAddress(allocation.address);
    sortKey = `${family}:${addressKey(family, value)}`;
  } catch {
    // not an address: sorts as text
  }
  return { ...allocation, sortKey };
}

function compareAddresses(a: AllocationRow, b: AllocationRow): number {
  if (a.sortKey < b.sortKey) return -1;
  return a.sortKey > b.sortKey ? 1 : 0;
}

const columns: TableColumn<AllocationRow>[] = [
  {
    title: 'Address',
    field: 'address',
    highlight: true,
    customSort: compareAddresses,
    defaultSort: 'asc',
    cellStyle: nowrapCell,
  },
  {
    title: 'Service',
    field: 'serviceName',
    cellStyle: nowrapCell,
    render: a => `${a.namespace}/${a.serviceName}`,
    customFilterAndSearch: (term: string, a: AllocationRow) =>
      `${a.namespace}/${a.serviceName}`.includes(term),
  },
  { title: 'Cluster', field: 'cluster', cellStyle: nowrapCell },
  {
    title: 'Owner',
    field: 'owner',
    cellStyle: nowrapCell,
    render: a => shortRef(a.owner, 'group'),
  },
  {
    title: 'Component',
    field: 'entityRef',
    cellStyle: nowrapCell,
    render: a => shortRef(a.entityRef, 'component'),
  },
  {
    title: 'Ports',
    cellStyle: nowrapCell,
    render: a => formatPorts(a.ports),
    customFilterAndSearch: (term: string, a: AllocationRow) =>
      formatPorts(a.ports).includes(term),
  },
  {
    title: 'Shared',
    field: 'shared',
    lookup: { true: 'shared', false: 'exclusive' },
  },
  {
    title: 'Allocated',
    field: 'allocatedAt',
    filtering: false,
    render: a => formatDateTime(a.allocatedAt),
  },
  {
    title: 'Expires',
    field: 'expiresAt',
    filtering: false,
    render: a => formatDateTime(a.expiresAt),
  },
];

function PoolFacts(props: { pool: PoolSummary }) {
  const { pool } = props;
  const { policy } = pool;
  const facts: [string, string][] = [
    ['Intent', pool.intent],
    ['Segment', `${pool.segment}${pool.vlan ? ` (VLAN ${pool.vlan})` : ''}`],
    ['Addresses', pool.addresses.join(', ')],
    ['Advertisement', pool.advertisement.type.toUpperCase()],
    ['Clusters', pool.clusters.join(', ') || '—'],
    ['Approval', policy.approval],
    ['Owners', policy.owners.join(', ') || 'any group'],
    ['Namespaces', policy.namespaces.join(', ') || 'any'],
    ['Ports', policy.ports.map(String).join(', ') || 'any'],
    [
      'Max lifetime',
      policy.maxLifetimeHours ? `${policy.maxLifetimeHours} h` : 'none',
    ],
    [
      'Quota per team',
      policy.quotaPerTeam ? String(policy.quotaPerTeam) : 'none',
    ],
    ['Sharing', policy.allowSharing ? 'allowed' : 'not allowed'],
  ];
  return (
    <InfoCard title={`Pool ${pool.name}`} subheader={pool.description}>
      <UsageBar counts={pool.counts} />
      <Grid container spacing={1} style={{ marginTop: 8 }}>
        {facts.map(([label, value]) => (
          <Grid item xs={6} md={3} key={label}>
            <Typography variant="caption" color="textSecondary">
              {label}
            </Typography>
            <Typography variant="body2">{value}</Typography>
          </Grid>
        ))}
      </Grid>
    </InfoCard>
  );
}

/**
 * Every allocation of one pool: the inventory of the Services that share it.
 * Paged, sorted and filtered in the browser, which keeps thousands of rows quick.
 */
export function PoolDetail(props: { name: string; onBack: () => void }) {
  const api = useApi(exposureApiRef);
  const loaded = useAsync(async () => {
    const [pool, allocations] = await Promise.all([
      api.getPool(props.name),
      api.listAllocations({ pool: props.name }),
    ]);
    return { pool, rows: allocations.map(withSortKey) };
  }, [api, props.name]);

  return (
    <>
      <Button startIcon={<ArrowBackIcon />} onClick={props.onBack}>
        All pools
      </Button>
      {loaded.loading && <Progress />}
      {loaded.error && (
        <ErrorAlert
          title={`Could not load pool ${props.name}`}
          error={loaded.error}
        />
      )}
      {loaded.value && (
        <>
          <PoolFacts pool={loaded.value.pool} />
          <Box mt={2}>
            <Table<AllocationRow>
              title={`Allocations (${loaded.value.rows.length})`}
              columns={columns}
              data={loaded.value.rows}
              options={{
                paging: true,
                pageSize: 50,
                pageSizeOptions: [50, 200, 1000],
                filtering: true,
                search: true,
                sorting: true,
                padding: 'dense',
                emptyRowsWhenPaging: false,
              }}
              emptyContent={
                <Box p={2}>No address of this pool is allocated.</Box>
              }
            />
          </Box>
        </>
      )}
    </>
  );
}
