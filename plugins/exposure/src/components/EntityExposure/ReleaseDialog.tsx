import { useApi } from '@backstage/core-plugin-api';
import type { ExposureRequest } from '@portico/plugin-exposure-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import { exposureApiRef } from '../../api';
import { ErrorAlert } from '../shared';

/** Confirms releasing an address, with an optional comment for the audit trail. */
export function ReleaseDialog(props: {
  request: ExposureRequest;
  onClose: (released: boolean) => void;
}) {
  const { request, onClose } = props;
  const api = useApi(exposureApiRef);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const release = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.releaseRequest(request.id, comment.trim() || undefined);
      onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={() => onClose(false)} aria-labelledby="release-title">
      <DialogTitle id="release-title">Release {request.address}?</DialogTitle>
      <DialogContent>
        <Typography gutterBottom>
          {request.namespace}/{request.serviceName} on {request.cluster} stops
          being reachable on this address, and the address returns to pool{' '}
          {request.pool}.
        </Typography>
        <TextField
          id="release-comment"
          label="Comment"
          fullWidth
          margin="dense"
          variant="outlined"
          value={comment}
          onChange={e => setComment(e.target.value)}
        />
        {error && <ErrorAlert title="Not released" error={error} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(false)}>Cancel</Button>
        <Button color="secondary" disabled={busy} onClick={release}>
          Release
        </Button>
      </DialogActions>
    </Dialog>
  );
}
