import { InfoCard, Progress } from '@backstage/core-components';
import type { PoolSummary } from '@portico/plugin-exposure-common';
import { Typography } from '@material-ui/core';
import { ErrorAlert, formatCount, UsageBar, VerdictAlert } from '../shared';
import type { DryRunState } from './useDryRun';

/** The live verdict next to the form: what the backend would decide, and why. */
export function DryRunPanel(props: {
  dryRun: DryRunState;
  pools: PoolSummary[];
  missing: string[];
}) {
  const { dryRun, pools, missing } = props;
  const pool = dryRun.result
    ? pools.find(p => p.name === dryRun.result!.pool)
    : undefined;
  return (
    <InfoCard title="Guardrail verdict">
      {missing.length > 0 && !dryRun.loading && (
        <Typography color="textSecondary">
          Fill in {missing.join(', ')} to see whether this request would be
          allowed.
        </Typography>
      )}
      {dryRun.loading && <Progress />}
      {!dryRun.loading && dryRun.error && (
        <ErrorAlert
          title="The backend refused the dry run"
          error={dryRun.error}
        />
      )}
      {!dryRun.loading && dryRun.result && (
        <>
          <VerdictAlert
            verdict={dryRun.result.verdict}
            reasons={dryRun.result.reasons}
          />
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Pool <strong>{dryRun.result.pool}</strong>
            {pool &&
              ` (${pool.intent}, segment ${pool.segment}): ${formatCount(
                pool.counts.free,
              )} free`}
          </Typography>
          {pool && <UsageBar counts={pool.counts} />}
        </>
      )}
    </InfoCard>
  );
}
