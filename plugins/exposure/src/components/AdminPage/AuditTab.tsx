import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  AuditEvent,
  AuditVerification,
} from '@portico/plugin-exposure-common';
import {
  Box,
  Button,
  Grid,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { AuditFilter, exposureApiRef } from '../../api';
import { ErrorAlert, formatDateTime } from '../shared';

interface FilterForm {
  actor: string;
  action: string;
  subjectId: string;
  /** `datetime-local` input values, in the reader's time zone. */
  since: string;
  until: string;
}

const emptyFilter: FilterForm = {
  actor: '',
  action: '',
  subjectId: '',
  since: '',
  until: '',
};

/** The form's local times as the API's ISO instants; blanks are left out. */
export function toAuditFilter(form: FilterForm): AuditFilter {
  const instant = (local: string) =>
    local ? new Date(local).toISOString() : undefined;
  return {
    actor: form.actor.trim() || undefined,
    action: form.action.trim() || undefined,
    subjectId: form.subjectId.trim() || undefined,
    since: instant(form.since),
    until: instant(form.until),
    limit: 500,
  };
}

function ChainResult(props: { verification: AuditVerification }) {
  const { valid, checked, brokenAt, reason } = props.verification;
  return valid ? (
    <Alert severity="success" data-testid="chain-verification">
      Audit chain intact: {checked} events verified, each linked to the hash of
      the one before.
    </Alert>
  ) : (
    <Alert severity="error" data-testid="chain-verification">
      Audit chain broken at event #{brokenAt}
      {reason ? `: ${reason}` : ''} ({checked} events checked). A row was edited
      or deleted.
    </Alert>
  );
}

/** A one-line summary of what an event changed. */
function changeSummary(event: AuditEvent): string {
  const state = (v: unknown) =>
    v && typeof v === 'object' && 'state' in v ? String(v.state) : undefined;
  const [from, to] = [state(event.before), state(event.after)];
  if (from || to) return `${from ?? '∅'} → ${to ?? '∅'}`;
  return '';
}

/** The hash-chained audit log, filterable, with the chain's verification. */
export function AuditTab() {
  const api = useApi(exposureApiRef);
  const [form, setForm] = useState<FilterForm>(emptyFilter);
  const [applied, setApplied] = useState<AuditFilter>(
    toAuditFilter(emptyFilter),
  );
  const events = useAsync(() => api.listAuditEvents(applied), [api, applied]);
  const verification = useAsync(() => api.verifyAuditChain(), [api]);

  const field = (key: keyof FilterForm, label: string, type = 'text') => (
    <Grid item xs={12} sm={6} md={2}>
      <TextField
        id={`audit-${key}`}
        label={label}
        type={type}
        fullWidth
        margin="dense"
        variant="outlined"
        InputLabelProps={type === 'text' ? undefined : { shrink: true }}
        value={form[key]}
        onChange={e => setForm({ ...form, [key]: e.target.value })}
      />
    </Grid>
  );

  return (
    <>
      <Box mb={2}>
        {verification.loading && <Progress />}
        {verification.error && (
          <ErrorAlert
            title="Could not verify the audit chain"
            error={verification.error}
          />
        )}
        {verification.value && (
          <ChainResult verification={verification.value} />
        )}
      </Box>
      <form
        onSubmit={e => {
          e.preventDefault();
          setApplied(toAuditFilter(form));
        }}
      >
        <Grid container spacing={1} alignItems="center">
          {field('actor', 'Actor')}
          {field('action', 'Action')}
          {field('subjectId', 'Request id')}
          {field('since', 'Since', 'datetime-local')}
          {field('until', 'Until', 'datetime-local')}
          <Grid item xs={12} md={2}>
            <Button type="submit" variant="outlined">
              Filter
            </Button>
          </Grid>
        </Grid>
      </form>
      {events.loading && <Progress />}
      {events.error && (
        <ErrorAlert title="Could not load the audit log" error={events.error} />
      )}
      {events.value && events.value.length === 0 && (
        <EmptyState missing="data" title="No audit event matches" />
      )}
      {events.value && events.value.length > 0 && (
        <List dense aria-label="Audit timeline">
          {events.value.map(event => (
            <ListItem key={event.seq} divider>
              <ListItemText
                primary={
                  <>
                    <Typography
                      component="span"
                      variant="body2"
                      color="textSecondary"
                    >
                      #{event.seq} · {formatDateTime(event.at)} ·{' '}
                    </Typography>
                    <strong>{event.action}</strong> by {event.actor}{' '}
                    {changeSummary(event)}
                  </>
                }
                secondary={`${event.subjectType} ${
                  event.subjectId
                } · hash ${event.hash.slice(0, 12)}…`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </>
  );
}
