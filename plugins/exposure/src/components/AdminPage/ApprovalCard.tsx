import { useApi } from '@backstage/core-plugin-api';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import {
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  TextField,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import { exposureApiRef } from '../../api';
import { ErrorAlert, formatDateTime, formatPorts, ReasonList } from '../shared';

/** One pending request: what is asked, the guardrail reasons, approve or reject. */
export function ApprovalCard(props: {
  request: ExposureRequest;
  onDecided: (request: ExposureRequest) => void;
}) {
  const { request, onDecided } = props;
  const api = useApi(exposureApiRef);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const decide = async (action: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      const text = comment.trim() || undefined;
      onDecided(
        action === 'approve'
          ? await api.approveRequest(request.id, text)
          : await api.rejectRequest(request.id, text),
      );
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <Card variant="outlined" data-testid={`approval-${request.id}`}>
      <CardContent>
        <Typography variant="h6">
          {request.namespace}/{request.serviceName} on {request.cluster}
        </Typography>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          {request.entityRef} · {request.owner} · asked by {request.requestedBy}{' '}
          on {formatDateTime(request.createdAt)}
        </Typography>
        <Typography variant="body2">
          Pool <strong>{request.pool}</strong> ({request.intent}, segment{' '}
          {request.segment}) · ports {formatPorts(request.ports)} ·{' '}
          {request.exposureKind} · expires {formatDateTime(request.expiresAt)}
        </Typography>
        {request.justification && (
          <Typography variant="body2" style={{ marginTop: 8 }}>
            “{request.justification}”
          </Typography>
        )}
        <Box mt={1}>
          <Typography variant="subtitle2">Guardrail reasons</Typography>
          <ReasonList reasons={request.reasons} />
        </Box>
        <TextField
          id={`comment-${request.id}`}
          label="Comment"
          fullWidth
          margin="dense"
          variant="outlined"
          value={comment}
          onChange={e => setComment(e.target.value)}
        />
        {error && <ErrorAlert title="Decision not recorded" error={error} />}
      </CardContent>
      <CardActions>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={() => decide('approve')}
        >
          Approve
        </Button>
        <Button
          color="secondary"
          disabled={busy}
          onClick={() => decide('reject')}
        >
          Reject
        </Button>
      </CardActions>
    </Card>
  );
}
