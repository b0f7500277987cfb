import { InfoCard } from '@backstage/core-components';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import { Button, Typography } from '@material-ui/core';
import {
  formatDateTime,
  formatPorts,
  ReasonList,
  RequestStateChip,
} from '../shared';

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
      <dl>
        <dt>Pool</dt>
        <dd>
          {request.pool} ({request.intent}, segment {request.segment})
        </dd>
        {request.address && (
          <>
            <dt>Address</dt>
            <dd>{request.address}</dd>
          </>
        )}
        <dt>Service</dt>
        <dd>
          {request.cluster} / {request.namespace} / {request.serviceName} (
          {formatPorts(request.ports)})
        </dd>
        <dt>Expires</dt>
        <dd>{formatDateTime(request.expiresAt)}</dd>
      </dl>
      <ReasonList reasons={request.reasons} />
      <Button variant="outlined" onClick={onAnother} style={{ marginTop: 16 }}>
        Request another
      </Button>
    </InfoCard>
  );
}
