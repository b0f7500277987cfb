import type { Entity } from '@backstage/catalog-model';
import {
  exposureKinds,
  intents,
  PoolSummary,
} from '@portico/plugin-exposure-common';
import { Grid, MenuItem, TextField } from '@material-ui/core';
import { EntityPicker } from './EntityPicker';
import {
  clusterChoices,
  FieldErrors,
  formFromEntity,
  RequestFormState,
} from './requestForm';

const kindLabels: Record<(typeof exposureKinds)[number], string> = {
  direct: 'Direct (LoadBalancer Service)',
  ingress: 'Behind an ingress controller',
  gateway: 'Behind a Gateway',
};

/** Only fields the user touched show their error; the verdict panel lists the rest. */
export function RequestForm(props: {
  form: RequestFormState;
  onChange: (form: RequestFormState) => void;
  errors: FieldErrors;
  touched: Set<keyof RequestFormState>;
  entities: Entity[];
  pools: PoolSummary[];
}) {
  const { form, onChange, errors, touched, entities, pools } = props;
  const set =
    <K extends keyof RequestFormState>(key: K) =>
    (event: { target: { value: unknown } }) =>
      onChange({ ...form, [key]: event.target.value as RequestFormState[K] });
  const error = (key: keyof RequestFormState) =>
    touched.has(key) ? errors[key] : undefined;
  const clusters = clusterChoices(form, pools);
  const poolsOfIntent = pools.filter(
    p => !form.intent || p.intent === form.intent,
  );
  const chosenPool = pools.find(p => p.name === form.pool);
  const maxHours = chosenPool?.policy.maxLifetimeHours;
  const common = {
    fullWidth: true,
    margin: 'dense',
    variant: 'outlined',
  } as const;

  return (
    <Grid container spacing={1}>
      <Grid item xs={12}>
        <EntityPicker
          entities={entities}
          value={form.entityRef}
          error={error('entityRef')}
          onChange={entity =>
            onChange(
              entity
                ? formFromEntity(form, entity)
                : { ...form, entityRef: '', owner: '' },
            )
          }
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-owner-group"
          {...common}
          label="Owner group"
          value={form.owner}
          onChange={set('owner')}
          error={Boolean(error('owner'))}
          helperText={error('owner') ?? "Taken from the component's owner"}
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-intent"
          {...common}
          select
          label="Intent"
          value={form.intent}
          onChange={event =>
            onChange({
              ...form,
              intent: event.target.value as RequestFormState['intent'],
              pool: '',
            })
          }
        >
          <MenuItem value="">Any</MenuItem>
          {intents.map(intent => (
            <MenuItem key={intent} value={intent}>
              {intent}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-pool"
          {...common}
          select
          label="Pool"
          value={form.pool}
          onChange={set('pool')}
          error={Boolean(error('pool'))}
          helperText={
            error('pool') ?? 'Or let Portico pick a pool of the intent'
          }
        >
          <MenuItem value="">Pick by intent</MenuItem>
          {poolsOfIntent.map(pool => (
            <MenuItem key={pool.name} value={pool.name}>
              {pool.name} ({pool.intent})
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-cluster"
          {...common}
          select={clusters.length > 0}
          label="Cluster"
          required
          value={form.cluster}
          onChange={set('cluster')}
          error={Boolean(error('cluster'))}
          helperText={error('cluster')}
        >
          {clusters.map(cluster => (
            <MenuItem key={cluster} value={cluster}>
              {cluster}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-namespace"
          {...common}
          label="Namespace"
          required
          value={form.namespace}
          onChange={set('namespace')}
          error={Boolean(error('namespace'))}
          helperText={error('namespace')}
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-service-name"
          {...common}
          label="Service name"
          required
          value={form.serviceName}
          onChange={set('serviceName')}
          error={Boolean(error('serviceName'))}
          helperText={error('serviceName')}
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-ports"
          {...common}
          label="Ports"
          required
          placeholder="443:8443, 53/UDP"
          value={form.ports}
          onChange={set('ports')}
          error={Boolean(error('ports'))}
          helperText={
            error('ports') ??
            'Comma separated port[:target port][/UDP|/SCTP], optionally name=…'
          }
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-exposure-kind"
          {...common}
          select
          label="Exposure kind"
          value={form.exposureKind}
          onChange={set('exposureKind')}
        >
          {exposureKinds.map(kind => (
            <MenuItem key={kind} value={kind}>
              {kindLabels[kind]}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          id="exposure-lifetime-hours"
          {...common}
          label="Lifetime (hours)"
          type="number"
          required={
            chosenPool?.intent === 'temporary' || form.intent === 'temporary'
          }
          value={form.lifetimeHours}
          onChange={set('lifetimeHours')}
          error={Boolean(error('lifetimeHours'))}
          helperText={
            error('lifetimeHours') ??
            (maxHours
              ? `At most ${maxHours} hours in this pool`
              : 'Empty: no expiry')
          }
        />
      </Grid>
      <Grid item xs={12}>
        <TextField
          id="exposure-justification"
          {...common}
          multiline
          minRows={2}
          label="Justification"
          value={form.justification}
          onChange={set('justification')}
          error={Boolean(error('justification'))}
          helperText={
            error('justification') ?? 'Why this Service needs the address'
          }
        />
      </Grid>
    </Grid>
  );
}
