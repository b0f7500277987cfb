import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  exposurePoolManagePermission,
  type ExposureRequest,
  type PoolSummary,
} from '@portico/plugin-exposure-common';
import { Button, Grid } from '@material-ui/core';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { exposureApiRef } from '../../api';
import { ErrorAlert } from '../shared';
import { DryRunPanel } from './DryRunPanel';
import { RequestForm } from './RequestForm';
import { RequestResult } from './RequestResult';
import {
  buildRequestInput,
  clusterChoices,
  emptyForm,
  formFromEntity,
  ownerRefOf,
  RequestFormState,
} from './requestForm';
import { useDryRun } from './useDryRun';

const fieldNames: Record<keyof RequestFormState, string> = {
  entityRef: 'the component',
  owner: 'the owner group',
  cluster: 'the cluster',
  namespace: 'the namespace',
  serviceName: 'the Service name',
  ports: 'the ports',
  intent: 'the intent',
  pool: 'a pool or an intent',
  exposureKind: 'the exposure kind',
  justification: 'the justification',
  lifetimeHours: 'the lifetime',
};

/**
 * The request page body: the form, the live verdict and, once submitted, the
 * stored request. `?entity=component:default/x` preselects a component.
 */
export function RequestPageContent() {
  const exposureApi = useApi(exposureApiRef);
  const catalogApi = useApi(catalogApiRef);
  const [searchParams] = useSearchParams();
  const preselected = searchParams.get('entity') ?? '';

  const identityApi = useApi(identityApiRef);
  const admin = usePermission({ permission: exposurePoolManagePermission });

  const loaded = useAsync(async () => {
    const [pools, { items }, identity] = await Promise.all([
      exposureApi.listPools(),
      catalogApi.getEntities({
        filter: { kind: 'Component' },
        fields: ['kind', 'metadata', 'spec.owner'],
      }),
      identityApi.getBackstageIdentity(),
    ]);
    // The backend refuses other teams' components; offer only what may be exposed.
    const mine = new Set(identity.ownershipEntityRefs);
    const entities = items
      .filter(e => admin.allowed || mine.has(ownerRefOf(e) ?? ''))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return { pools, entities };
  }, [exposureApi, catalogApi, identityApi, admin.allowed]);

  if (loaded.loading || admin.loading) return <Progress />;
  if (loaded.error) {
    return (
      <ErrorAlert
        title="Could not load pools and components"
        error={loaded.error}
      />
    );
  }
  return (
    <RequestWorkflow
      pools={loaded.value!.pools}
      entities={loaded.value!.entities}
      preselected={loaded.value!.entities.find(
        e => stringifyEntityRef(e) === preselected,
      )}
    />
  );
}

function RequestWorkflow(props: {
  pools: PoolSummary[];
  entities: Entity[];
  preselected?: Entity;
}) {
  const { pools, entities, preselected } = props;
  const exposureApi = useApi(exposureApiRef);
  const initial = withOnlyCluster(
    preselected ? formFromEntity(emptyForm, preselected) : emptyForm,
    pools,
  );
  const [form, setForm] = useState<RequestFormState>(initial);
  const [touched, setTouched] = useState(new Set<keyof RequestFormState>());
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();
  const [stored, setStored] = useState<ExposureRequest>();

  const built = useMemo(
    () => buildRequestInput(form, pools, new Date()),
    [form, pools],
  );
  const input = 'input' in built ? built.input : undefined;
  const errors = 'errors' in built ? built.errors : {};
  const dryRun = useDryRun(input);

  const onChange = (next: RequestFormState) => {
    const changed = (Object.keys(next) as (keyof RequestFormState)[]).filter(
      key => next[key] !== form[key],
    );
    setTouched(previous => new Set([...previous, ...changed]));
    setSubmitError(undefined);
    setForm(withOnlyCluster(next, pools));
  };

  const submit = async () => {
    if (!input) {
      setTouched(new Set(Object.keys(form) as (keyof RequestFormState)[]));
      return;
    }
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      setStored(await exposureApi.createRequest(input));
    } catch (error) {
      setSubmitError(error as Error);
    } finally {
      setSubmitting(false);
    }
  };

  if (stored) {
    return (
      <RequestResult
        request={stored}
        onAnother={() => {
          setStored(undefined);
          setForm(initial);
          setTouched(new Set());
        }}
      />
    );
  }

  const denied = dryRun.result?.verdict === 'deny';
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={7}>
        <InfoCard title="Request an exposure">
          <RequestForm
            form={form}
            onChange={onChange}
            errors={errors}
            touched={touched}
            entities={entities}
            pools={pools}
          />
          {submitError && (
            <ErrorAlert
              title="The request was not stored"
              error={submitError}
            />
          )}
          <Button
            variant="contained"
            color="primary"
            style={{ marginTop: 16 }}
            disabled={submitting || denied || dryRun.loading}
            onClick={submit}
          >
            {dryRun.result?.verdict === 'allow'
              ? 'Request and allocate'
              : 'Submit for approval'}
          </Button>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={5}>
        <DryRunPanel
          dryRun={dryRun}
          pools={pools}
          missing={(Object.keys(errors) as (keyof RequestFormState)[]).map(
            key => fieldNames[key],
          )}
        />
      </Grid>
    </Grid>
  );
}

/** Picks the cluster when the chosen pool (or intent) leaves only one. */
function withOnlyCluster(
  form: RequestFormState,
  pools: PoolSummary[],
): RequestFormState {
  const choices = clusterChoices(form, pools);
  if (choices.length === 1 && !form.cluster) {
    return { ...form, cluster: choices[0] };
  }
  if (form.cluster && choices.length > 0 && !choices.includes(form.cluster)) {
    return { ...form, cluster: choices.length === 1 ? choices[0] : '' };
  }
  return form;
}

/** The page for the legacy frontend system, which brings its own layout. */
export function RequestPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Request exposure"
        subtitle="Publish a Service on an address of a governed pool"
      />
      <Content>
        <RequestPageContent />
      </Content>
    </Page>
  );
}
