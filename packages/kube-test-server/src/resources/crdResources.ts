import { isJsonObject, JsonObject, KubeObject } from '../types';
import { PrinterColumn, ResourceType } from './ResourceType';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** The resource types a CustomResourceDefinition serves: one per served version. */
export function resourcesOfCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec as CrdSpec;
  return spec.versions
    .filter(v => v.served !== false)
    .map(v => ({
      group: spec.group,
      version: v.name,
      resource: spec.names.plural,
      singular: spec.names.singular || spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind || `${spec.names.kind}List`,
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      statusSubresource:
        isJsonObject(v.subresources) && v.subresources.status !== undefined,
      printerColumns: v.additionalPrinterColumns,
      schema: v.schema?.openAPIV3Schema,
    }));
}

/**
 * Checks what apiextensions-apiserver checks before accepting a CRD that matters to
 * clients here: the name is `<plural>.<group>`, names and versions are present and
 * exactly one version is the storage version. Returns field errors.
 */
export function validateCrd(
  crd: KubeObject,
): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const spec = crd.spec;
  if (!isJsonObject(spec))
    return [{ field: 'spec', message: 'Required value' }];
  const names = spec.names;
  if (typeof spec.group !== 'string' || !spec.group.includes('.')) {
    errors.push({
      field: 'spec.group',
      message: 'should be a domain with at least one dot',
    });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({
      field: 'spec.scope',
      message: 'Unsupported value: must be Namespaced or Cluster',
    });
  }
  if (
    !isJsonObject(names) ||
    typeof names.plural !== 'string' ||
    typeof names.kind !== 'string'
  ) {
    errors.push({
      field: 'spec.names',
      message: 'plural and kind are required',
    });
  } else if (crd.metadata.name !== `${names.plural}.${String(spec.group)}`) {
    errors.push({
      field: 'metadata.name',
      message: 'must be spec.names.plural+"."+spec.group',
    });
  }
  const versions = Array.isArray(spec.versions)
    ? (spec.versions as CrdVersion[])
    : [];
  if (versions.length === 0) {
    errors.push({
      field: 'spec.versions',
      message: 'must have exactly one version marked as storage version',
    });
  } else if (versions.filter(v => v.storage).length !== 1) {
    errors.push({
      field: 'spec.versions',
      message: 'must have exactly one version marked as storage version',
    });
  }
  return errors;
}

/** The status apiextensions-apiserver reports once it serves a CRD. */
export function establishedCrdStatus(crd: KubeObject, now: string): JsonObject {
  const spec = crd.spec as CrdSpec;
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  const stored =
    (crd.status as { storedVersions?: string[] } | undefined)?.storedVersions ??
    [];
  const storage = spec.versions.find(v => v.storage)?.name;
  return {
    acceptedNames: {
      plural: spec.names.plural,
      singular: spec.names.singular || spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind || `${spec.names.kind}List`,
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
    },
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition(
        'Established',
        'InitialNamesAccepted',
        'the initial names have been accepted',
      ),
    ],
    storedVersions: [...new Set([...stored, ...(storage ? [storage] : [])])],
  };
}
