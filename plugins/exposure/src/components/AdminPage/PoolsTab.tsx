import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { PoolSummary } from '@portico/plugin-exposure-common';
import { Box, Button, Link } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ExportFormat, exposureApiRef } from '../../api';
import { ErrorAlert, Lines, nowrapCell, UsageBar } from '../shared';
import { downloadPoolTable } from './downloadPoolTable';

/** One row per pool with its usage; a pool's name opens its allocations. */
export function PoolsTab(props: { onOpenPool: (name: string) => void }) {
  const api = useApi(exposureApiRef);
  const pools = useAsync(() => api.listPools(), [api]);
  const [exportError, setExportError] = useState<Error>();

  const download = (format: ExportFormat) => {
    setExportError(undefined);
    downloadPoolTable(api, format).catch(setExportError);
  };

  const columns: TableColumn<PoolSummary>[] = [
    {
      title: 'Pool',
      field: 'name',
      highlight: true,
      render: pool => (
        <Link
          component="button"
          style={{ whiteSpace: 'nowrap', textAlign: 'left' }}
          onClick={() => props.onOpenPool(pool.name)}
        >
          {pool.name}
        </Link>
      ),
    },
    {
      title: 'Usage',
      sorting: false,
      width: '200px',
      render: pool => <UsageBar counts={pool.counts} />,
    },
    { title: 'Intent', field: 'intent', cellStyle: nowrapCell },
    {
      title: 'Segment',
      field: 'segment',
      cellStyle: nowrapCell,
      render: pool =>
        pool.vlan === undefined
          ? pool.segment
          : `${pool.segment} · VLAN ${pool.vlan}`,
    },
    {
      title: 'Advertisement',
      field: 'advertisement.type',
      render: pool => pool.advertisement.type.toUpperCase(),
    },
    {
      title: 'Addresses',
      render: pool => <Lines items={pool.addresses} />,
    },
    { title: 'Approval', render: pool => pool.policy.approval },
  ];

  if (pools.loading) return <Progress />;
  if (pools.error)
    return <ErrorAlert title="Could not load pools" error={pools.error} />;
  return (
    <>
      <Box display="flex" justifyContent="flex-end" mb={1} style={{ gap: 8 }}>
        <Button
          startIcon={<GetAppIcon />}
          variant="outlined"
          onClick={() => download('csv')}
        >
          Download CSV
        </Button>
        <Button
          startIcon={<GetAppIcon />}
          variant="outlined"
          onClick={() => download('json')}
        >
          Download JSON
        </Button>
      </Box>
      {exportError && (
        <ErrorAlert
          title="The pool table could not be exported"
          error={exportError}
        />
      )}
      <Table<PoolSummary>
        title="Pools"
        columns={columns}
        data={pools.value ?? []}
        options={{ paging: false, search: true }}
        emptyContent={
          <Box p={2}>
            No pools are configured (exposure.pools in app-config.yaml).
          </Box>
        }
      />
    </>
  );
}
