import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  List,
  ListItem,
  ListItemSecondaryAction,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { ErrorAlert, formatPorts, RequestStateChip } from '../shared';
import { RequestExposureButton } from './RequestExposureButton';
import { useEntityExposures } from './useEntityExposures';

const shownStates = new Set(['pending', 'approved', 'active']);

/** The overview card: the component's current addresses and open requests. */
export function EntityExposureCard() {
  const { entity } = useEntity();
  const exposures = useEntityExposures(entity);
  const current = (exposures.value ?? []).filter(r => shownStates.has(r.state));
  const isComponent = entity.kind.toLowerCase() === 'component';

  return (
    <InfoCard title="Exposure">
      {exposures.loading && <Progress />}
      {exposures.error && (
        <ErrorAlert title="Could not load exposures" error={exposures.error} />
      )}
      {exposures.value && current.length === 0 && (
        <Typography color="textSecondary">
          No address and no open request.
        </Typography>
      )}
      {current.length > 0 && (
        <List dense>
          {current.map(r => (
            <ListItem key={r.id}>
              <ListItemText
                primary={r.address ?? 'no address yet'}
                secondary={`${r.pool} · ${formatPorts(r.ports)} · ${
                  r.namespace
                }/${r.serviceName}`}
              />
              <ListItemSecondaryAction>
                <RequestStateChip state={r.state} />
              </ListItemSecondaryAction>
            </ListItem>
          ))}
        </List>
      )}
      {isComponent && <RequestExposureButton entity={entity} />}
    </InfoCard>
  );
}
