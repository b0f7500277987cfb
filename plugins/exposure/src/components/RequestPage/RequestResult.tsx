import { InfoCard } from '@backstage/core-components';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import { Button, Grid, Typography } from '@material-ui/core';
import {
  formatDateTime,
  formatPorts,
  ReasonList,
  RequestStateChip,
} from '../shared';

function facts(request: ExposureRequest): [string, string][] {
  return [
    ['Address', request.address ?? 'after approval'],
    ['Pool', `${request.pool} (${request.intent})`],
    ['Segment', request.segment],
    [
      'Service',
      `${request.namespace}/${request.serviceName} on ${request.cluster}`,
    ],
    ['Ports', formatPorts(request.ports)],
    ['Exposure kind', request.exposureKind],
    ['Expires', formatDateTime(request.expiresAt)],
    ['Requested by', request.requestedBy],
  ];
}

/** What the backend stored: the request, its state and, once active, its address. */
export function RequestResult(props: {
  request: ExposureRequest;
  onAnother: () => void;
}) {
  const { request, onAnother } = props;
  return (
    <InfoCard
      title={
        <>
          Request for {request.serviceName}{' '}
          <RequestStateChip state={request.state} />
        </>
      }
      subheader={`id ${request.id}`}
    >
      <Typography>
        {request.state === 'pending' &&
          'A platform admin has to approve this request before it gets an address.'}
        {request.state === 'active' &&
          `Address ${request.address} is yours; the cluster picks it up from its grant.`}
      </Typography>
      <Grid container spacing={2} style={{ margin: '8px 0' }}>
        {facts(request).map(([label, value]) => (
          <Grid item xs={6} md={3} key={label}>
            <Typography variant="caption" color="textSecondary">
              {label}
            </Typography>
            <Typography variant="body2">{value}</Typography>
          </Grid>
        ))}
      </Grid>
      <Typography variant="subtitle2">Guardrail reasons</Typography>
      <ReasonList reasons={request.reasons} />
      <Button variant="outlined" onClick={onAnother} style={{ marginTop: 16 }}>
        Request another
      </Button>
    </InfoCard>
  );
}
