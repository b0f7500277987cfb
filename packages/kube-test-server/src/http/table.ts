import { JSONPath } from 'jsonpath-plus';
import {
  groupResourceKey,
  PrinterColumn,
  ResourceType,
} from '../resources/ResourceType';
import { isJsonObject, JsonObject, KubeObject } from '../types';

/**
 * Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for in its
 * Accept header, with the columns real clusters print for the kinds Portico uses and
 * a CRD's additionalPrinterColumns.
 */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some(part => {
    const params = part.split(';').map(p => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io');
  });
}

type Column = {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => unknown;
};

export function humanAge(
  timestamp: string | undefined,
  now = Date.now(),
): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10)
    return seconds % 60 ? `${minutes}m${seconds % 60}s` : `${minutes}m`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8)
    return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 ? `${days}d${hours % 24}h` : `${days}d`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

const nameColumn: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  cell: o => o.metadata.name,
};
const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  cell: o => humanAge(o.metadata.creationTimestamp),
};

function field(o: KubeObject, ...path: string[]): unknown {
  let current: unknown = o;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function nodeReady(o: KubeObject): string {
  const conditions =
    (field(o, 'status', 'conditions') as JsonObject[] | undefined) ?? [];
  const ready = conditions.find(c => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return field(o, 'spec', 'unschedulable')
    ? `${state},SchedulingDisabled`
    : state;
}

function nodeRoles(o: KubeObject): string {
  const prefix = 'node-role.kubernetes.io/';
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter(label => label.startsWith(prefix))
    .map(label => label.slice(prefix.length));
  return roles.length ? roles.join(',') : '<none>';
}

function spec(o: KubeObject): JsonObject {
  return isJsonObject(o.spec) ? o.spec : {};
}

function serviceExternalIP(o: KubeObject): string {
  const s = spec(o);
  const ingress = (
    (o.status as JsonObject | undefined)?.loadBalancer as JsonObject | undefined
  )?.ingress as JsonObject[] | undefined;
  const addresses = (ingress ?? []).map(i => String(i.ip ?? i.hostname));
  if (s.type === 'LoadBalancer')
    return addresses.length ? addresses.join(',') : '<pending>';
  if (s.type === 'ExternalName') return String(s.externalName ?? '<none>');
  const external = (s.externalIPs as string[] | undefined) ?? [];
  return external.length ? external.join(',') : '<none>';
}

function servicePorts(o: KubeObject): string {
  const ports = (spec(o).ports as JsonObject[] | undefined) ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map(
      p =>
        `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`,
    )
    .join(',');
}

const builtinColumns: Record<string, Column[]> = {
  '/services': [
    nameColumn,
    { name: 'Type', type: 'string', cell: o => spec(o).type },
    {
      name: 'Cluster-IP',
      type: 'string',
      cell: o => spec(o).clusterIP ?? '<none>',
    },
    { name: 'External-IP', type: 'string', cell: serviceExternalIP },
    { name: 'Port(s)', type: 'string', cell: servicePorts },
    ageColumn,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      cell: o =>
        Object.entries(
          (spec(o).selector as Record<string, string> | undefined) ?? {},
        )
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '<none>',
    },
  ],
  '/namespaces': [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      cell: o => (o.status as JsonObject | undefined)?.phase ?? '',
    },
    ageColumn,
  ],
  '/nodes': [
    nameColumn,
    { name: 'Status', type: 'string', cell: nodeReady },
    { name: 'Roles', type: 'string', cell: nodeRoles },
    ageColumn,
    {
      name: 'Version',
      type: 'string',
      cell: o => field(o, 'status', 'nodeInfo', 'kubeletVersion') ?? '',
    },
  ],
  '/events': [
    {
      name: 'Last Seen',
      type: 'string',
      cell: o =>
        humanAge(
          (o.lastTimestamp as string | undefined) ??
            (o.eventTime as string | undefined) ??
            o.metadata.creationTimestamp,
        ),
    },
    { name: 'Type', type: 'string', cell: o => o.type ?? '' },
    { name: 'Reason', type: 'string', cell: o => o.reason ?? '' },
    {
      name: 'Object',
      type: 'string',
      cell: o =>
        `${String(field(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${
          field(o, 'involvedObject', 'name') ?? ''
        }`,
    },
    { name: 'Message', type: 'string', cell: o => o.message ?? '' },
  ],
  '/configmaps': [
    nameColumn,
    {
      name: 'Data',
      type: 'integer',
      cell: o => Object.keys((o.data as object | undefined) ?? {}).length,
    },
    ageColumn,
  ],
  'coordination.k8s.io/leases': [
    nameColumn,
    {
      name: 'Holder',
      type: 'string',
      cell: o => field(o, 'spec', 'holderIdentity') ?? '',
    },
    ageColumn,
  ],
  'discovery.k8s.io/endpointslices': [
    nameColumn,
    { name: 'AddressType', type: 'string', cell: o => o.addressType ?? '' },
    {
      name: 'Ports',
      type: 'string',
      cell: o =>
        ((o.ports as JsonObject[] | undefined) ?? [])
          .map(p => String(p.port))
          .join(',') || '<unset>',
    },
    {
      name: 'Endpoints',
      type: 'string',
      cell: o =>
        ((o.endpoints as JsonObject[] | undefined) ?? [])
          .flatMap(e => (e.addresses as string[] | undefined) ?? [])
          .join(',') || '<unset>',
    },
    ageColumn,
  ],
  'apiextensions.k8s.io/customresourcedefinitions': [
    nameColumn,
    {
      name: 'Created At',
      type: 'date',
      cell: o => o.metadata.creationTimestamp,
    },
  ],
};

function jsonPathCell(column: PrinterColumn, object: KubeObject): unknown {
  const path = column.jsonPath.startsWith('.')
    ? `$${column.jsonPath}`
    : `$.${column.jsonPath}`;
  const values = JSONPath({ path, json: object, wrap: true }) as unknown[];
  if (!values.length || values[0] === undefined || values[0] === null)
    return null;
  const value = values[0];
  if (column.type === 'date' && typeof value === 'string')
    return humanAge(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

function columnsOf(type: ResourceType): Column[] {
  if (type.printerColumns?.length) {
    return [
      nameColumn,
      ...type.printerColumns.map(c => ({
        name: c.name,
        type: c.type === 'date' ? 'string' : c.type,
        format: c.format,
        priority: c.priority,
        cell: (o: KubeObject) => jsonPathCell(c, o),
      })),
    ];
  }
  return builtinColumns[groupResourceKey(type)] ?? [nameColumn, ageColumn];
}

/** `includeObject`: what each row carries, as the query parameter of that name says. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: object.metadata,
  };
}

export function tableFor(
  type: ResourceType,
  objects: KubeObject[],
  include: IncludeObject = 'Metadata',
) {
  const columns = columnsOf(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: columns.map(c => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map(o => ({
      cells: columns.map(c => c.cell(o) ?? null),
      object: rowObject(o, include),
    })),
  };
}
