import { JsonObject } from '../types';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** One resource served at one group/version, as discovery describes it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the path segment. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Whether `/status` is a subresource, so main writes keep status and status writes keep the rest. */
  statusSubresource: boolean;
  /** Extra printer columns (`kubectl get`), from a CRD's additionalPrinterColumns. */
  printerColumns?: PrinterColumn[];
  /** A CRD version's openAPIV3Schema, used to prune unknown fields like apiserver does. */
  schema?: JsonObject;
}

export const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Storage is per group and resource: every served version of a CRD shares it. */
export function groupResourceKey(type: {
  group: string;
  resource: string;
}): string {
  return `${type.group}/${type.resource}`;
}

/**
 * Kubernetes' version priority (GA > beta > alpha, higher numbers first, then
 * anything that does not look like a Kubernetes version, alphabetically), as
 * documented for CRD versions ("Version priority").
 */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!match) return { rank: 0, major: 0, minor: 0 };
    const stages: Record<string, number> = { alpha: 1, beta: 2 };
    const stage = match[2] ? stages[match[2]] : 3;
    return {
      rank: stage,
      major: Number(match[1]),
      minor: Number(match[3] ?? 0),
    };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa.rank !== pb.rank) return pb.rank - pa.rank;
  if (pa.rank === 0) return a.localeCompare(b);
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}
