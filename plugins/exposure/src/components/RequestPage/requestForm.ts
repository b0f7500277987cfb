import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  createRequestBodySchema,
  exposureKinds,
  Intent,
  PoolSummary,
  protocols,
  ServicePort,
} from '@portico/plugin-exposure-common';
import type { ExposureRequestInput } from '../../api';

/** The request form as the user fills it in; everything a string, as inputs give it. */
export interface RequestFormState {
  entityRef: string;
  owner: string;
  cluster: string;
  namespace: string;
  serviceName: string;
  ports: string;
  intent: Intent | '';
  /** Empty: let Portico pick a pool of the intent. */
  pool: string;
  exposureKind: (typeof exposureKinds)[number];
  justification: string;
  /** Hours from now; required for temporary pools. */
  lifetimeHours: string;
}

export const emptyForm: RequestFormState = {
  entityRef: '',
  owner: '',
  cluster: '',
  namespace: '',
  serviceName: '',
  ports: '',
  intent: '',
  pool: '',
  exposureKind: 'direct',
  justification: '',
  lifetimeHours: '',
};

/** Annotation of the demo catalog naming a component's Service: `namespace/name`. */
export const KUBERNETES_SERVICE_ANNOTATION = 'portico.dev/kubernetes-service';

/** The owner of a component as a full group ref (`team-a` → `group:default/team-a`). */
export function ownerRefOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}

/** What picking a component fills in: its ref, owner group and Service, when known. */
export function formFromEntity(
  form: RequestFormState,
  entity: Entity,
): RequestFormState {
  const next = { ...form, entityRef: stringifyEntityRef(entity) };
  const owner = ownerRefOf(entity);
  if (owner) next.owner = owner;
  const service =
    entity.metadata.annotations?.[KUBERNETES_SERVICE_ANNOTATION] ?? '';
  const [namespace, name] = service.includes('/')
    ? service.split('/', 2)
    : ['', service];
  if (namespace) next.namespace = namespace;
  if (name) next.serviceName = name;
  return next;
}

/**
 * `https=443:8443, 53/udp` → ports: each token is `[name=]port[:targetPort][/protocol]`,
 * the target a number or a container port's name; an error names the first bad token.
 */
export function parsePorts(
  text: string,
): { ports: ServicePort[] } | { error: string } {
  const ports: ServicePort[] = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const match =
      /^(?:([a-z0-9-]+)=)?(\d{1,5})(?::(\d{1,5}|[a-z0-9-]+))?(?:\/([a-z]+))?$/i.exec(
        token,
      );
    const protocol = (match?.[4] ?? 'TCP').toUpperCase();
    if (!match || !(protocols as readonly string[]).includes(protocol)) {
      return {
        error: `"${token}" is not a port such as 443, 443:8443 or 53/UDP`,
      };
    }
    const [, name, port, target] = match;
    ports.push({
      port: Number(port),
      protocol: protocol as ServicePort['protocol'],
      ...(target !== undefined
        ? { targetPort: /^\d+$/.test(target) ? Number(target) : target }
        : {}),
      ...(name !== undefined ? { name: name.toLowerCase() } : {}),
    });
  }
  return { ports };
}

export type FieldErrors = Partial<Record<keyof RequestFormState, string>>;

/**
 * Turns the form into the API body, checked with the same zod schema the backend
 * uses, so the user sees a bad field before asking the backend for a verdict.
 * `now` is a parameter so the lifetime turns into an absolute expiry predictably.
 */
export function buildRequestInput(
  form: RequestFormState,
  pools: PoolSummary[],
  now: Date,
): { input: ExposureRequestInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parsedPorts = parsePorts(form.ports);
  if ('error' in parsedPorts) errors.ports = parsedPorts.error;

  const pool = pools.find(p => p.name === form.pool);
  const intent = pool?.intent ?? form.intent;
  let expiresAt: string | undefined;
  if (form.lifetimeHours.trim()) {
    const hours = Number(form.lifetimeHours);
    if (!Number.isFinite(hours) || hours <= 0) {
      errors.lifetimeHours = 'must be a number of hours above 0';
    } else {
      expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
    }
  } else if (intent === 'temporary') {
    errors.lifetimeHours = 'temporary exposures need a lifetime';
  }

  const body = {
    entityRef: form.entityRef,
    owner: form.owner,
    cluster: form.cluster,
    namespace: form.namespace,
    serviceName: form.serviceName,
    ports: 'ports' in parsedPorts ? parsedPorts.ports : [],
    ...(form.pool ? { pool: form.pool } : {}),
    ...(!form.pool && form.intent ? { intent: form.intent } : {}),
    exposureKind: form.exposureKind,
    justification: form.justification,
    ...(expiresAt ? { expiresAt } : {}),
  };
  const parsed = createRequestBodySchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(String(issue.path[0] ?? ''));
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { errors };
  const { dryRun: _dryRun, ...input } = parsed.data;
  return { input };
}

function fieldOf(path: string): keyof RequestFormState | undefined {
  if (path === 'expiresAt') return 'lifetimeHours';
  if (path === 'intent') return 'pool';
  return path in emptyForm ? (path as keyof RequestFormState) : undefined;
}

/** Clusters the chosen pool (or any pool of the intent) is bound to. */
export function clusterChoices(
  form: RequestFormState,
  pools: PoolSummary[],
): string[] {
  const relevant = pools.filter(p =>
    form.pool ? p.name === form.pool : !form.intent || p.intent === form.intent,
  );
  return [...new Set(relevant.flatMap(p => p.clusters))].sort();
}
