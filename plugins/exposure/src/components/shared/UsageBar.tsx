import type { PoolCounts } from '@portico/plugin-exposure-common';
import { makeStyles, Typography } from '@material-ui/core';
import { formatCount, usageShares } from './format';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: 10,
    minWidth: 140,
    marginBottom: 2,
    borderRadius: 5,
    overflow: 'hidden',
    backgroundColor: theme.palette.success.light,
  },
  allocated: { backgroundColor: theme.palette.primary.main },
  reserved: { backgroundColor: theme.palette.grey[500] },
  legend: { display: 'block', whiteSpace: 'nowrap', lineHeight: 1.4 },
}));

/** A pool's allocated / reserved / free addresses as one stacked bar. */
export function UsageBar(props: { counts: PoolCounts }) {
  const { counts } = props;
  const classes = useStyles();
  const shares = usageShares(counts);
  const label = `${formatCount(counts.allocated)} allocated, ${formatCount(
    counts.reserved,
  )} reserved, ${formatCount(counts.free)} free of ${formatCount(
    counts.total,
  )}`;
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={shares.allocated}
      data-allocated={counts.allocated}
      data-free={counts.free}
    >
      <div className={classes.bar}>
        <div
          className={classes.allocated}
          style={{ width: `${shares.allocated}%` }}
        />
        <div
          className={classes.reserved}
          style={{ width: `${shares.reserved}%` }}
        />
      </div>
      <Typography variant="caption" className={classes.legend}>
        {formatCount(counts.allocated)} allocated · {formatCount(counts.free)}{' '}
        free
      </Typography>
      <Typography
        variant="caption"
        color="textSecondary"
        className={classes.legend}
      >
        {formatCount(counts.reserved)} reserved · {formatCount(counts.total)}{' '}
        total
      </Typography>
    </div>
  );
}
