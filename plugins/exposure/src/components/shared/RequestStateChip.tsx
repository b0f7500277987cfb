import type { RequestState } from '@portico/plugin-exposure-common';
import { Chip } from '@material-ui/core';
import { stateLabels } from './format';

const colors: Record<RequestState, 'default' | 'primary' | 'secondary'> = {
  pending: 'secondary',
  approved: 'primary',
  active: 'primary',
  rejected: 'default',
  released: 'default',
  expired: 'default',
};

export function RequestStateChip(props: { state: RequestState }) {
  return (
    <Chip
      size="small"
      color={colors[props.state]}
      label={stateLabels[props.state]}
    />
  );
}
