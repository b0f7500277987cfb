import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  AdoptionCandidate,
  AdoptionReport,
  AdoptionSkipped,
} from '@portico/plugin-exposure-common';
import {
  Box,
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import { exposureApiRef } from '../../api';
import { ErrorAlert, Lines, nowrapCell } from '../shared';

const adoptColumns: TableColumn<AdoptionCandidate>[] = [
  { title: 'Service', render: c => `${c.namespace}/${c.serviceName}` },
  { title: 'Address', field: 'address', cellStyle: nowrapCell },
  { title: 'Pool', field: 'pool' },
  { title: 'Owner', field: 'owner' },
  {
    title: 'Owner from',
    render: c =>
      c.ownerFrom === 'catalog' ? c.entityRef ?? 'catalog' : 'namespace rule',
  },
];

const skippedColumns: TableColumn<AdoptionSkipped>[] = [
  { title: 'Service', render: s => `${s.namespace}/${s.serviceName}` },
  { title: 'Address', field: 'address', cellStyle: nowrapCell },
  { title: 'Reason', field: 'reason', cellStyle: nowrapCell },
  { title: 'Why', field: 'message' },
];

/**
 * Adoption of a cluster that already runs MetalLB: a dry run lists what would
 * become an allocation (and what not, and why); only "Adopt" writes, and only
 * what that dry run listed.
 */
export function AdoptionPanel({ clusters }: { clusters: string[] }) {
  const api = useApi(exposureApiRef);
  const [cluster, setCluster] = useState(clusters[0] ?? '');
  const [report, setReport] = useState<AdoptionReport>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const run = async (body: { dryRun: boolean; token?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await api.adoptCluster(cluster, body));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="Adopt a cluster that already runs MetalLB">
      <Typography variant="body2" paragraph>
        Records the addresses its Services hold as allocations of their owners
        (from the catalog&apos;s backstage.io/kubernetes-id, then the namespace
        rules), so that switching the node agent to enforce removes nothing. A
        dry run first: nothing is written until you adopt.
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <FormControl style={{ minWidth: 200 }}>
          <InputLabel id="adoption-cluster">Cluster</InputLabel>
          <Select
            labelId="adoption-cluster"
            value={cluster}
            onChange={e => {
              setCluster(String(e.target.value));
              setReport(undefined);
            }}
          >
            {clusters.map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Button
          variant="outlined"
          disabled={busy || !cluster}
          onClick={() => run({ dryRun: true })}
        >
          Dry run
        </Button>
        {report?.dryRun && report.adopt.length > 0 && (
          <Button
            variant="contained"
            color="primary"
            disabled={busy}
            onClick={() => run({ dryRun: false, token: report.token })}
          >
            Adopt {report.adopt.length} Services
          </Button>
        )}
      </Box>
      {error && (
        <Box mt={2}>
          <ErrorAlert title="Adoption failed" error={error} />
        </Box>
      )}
      {report && (
        <Box mt={2}>
          <Alert severity={report.dryRun ? 'info' : 'success'}>
            {report.dryRun
              ? `Dry run of ${report.cluster}: nothing written.`
              : `Adopted ${report.adopted?.length ?? 0} Services of ${
                  report.cluster
                }.`}
          </Alert>
          <Box mt={2}>
            <Table<AdoptionCandidate>
              title={`${report.dryRun ? 'Would adopt' : 'Adopted'} (${
                report.adopt.length
              })`}
              columns={adoptColumns}
              data={report.adopt}
              options={{ paging: report.adopt.length > 20, search: false }}
            />
          </Box>
          <Box mt={2}>
            <Table<AdoptionSkipped>
              title={`Not adopted (${report.skipped.length})`}
              columns={skippedColumns}
              data={report.skipped}
              options={{ paging: report.skipped.length > 20, search: false }}
            />
          </Box>
          {report.unmatchedPools.length > 0 && (
            <Box mt={2}>
              <Typography variant="h6">
                Cluster pools no portal pool covers
              </Typography>
              {report.unmatchedPools.map(p => (
                <Box key={p.name} mt={1}>
                  <Typography variant="body2">
                    {p.name}: {p.addresses.join(', ')}. Add to app-config.yaml:
                  </Typography>
                  <pre data-testid={`snippet-${p.name}`}>
                    {p.suggestedConfig}
                  </pre>
                </Box>
              ))}
            </Box>
          )}
          <Box mt={2}>
            <Typography variant="h6">
              Enforce would remove the address of (
              {report.enforceWouldRemove.length})
            </Typography>
            {report.enforceWouldRemove.length === 0 ? (
              <Typography variant="body2">nothing</Typography>
            ) : (
              <Lines
                items={report.enforceWouldRemove.map(
                  e =>
                    `${e.namespace}/${e.serviceName}: ${e.addresses.join(
                      ', ',
                    )}`,
                )}
              />
            )}
          </Box>
        </Box>
      )}
    </InfoCard>
  );
}
