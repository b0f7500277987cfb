/**
 * The strategic-merge metadata (patchStrategy / patchMergeKey struct tags) of the
 * built-in kinds' list fields that clients patch. A list field not named here is
 * replaced whole, which is what apimachinery does for atomic lists and for every
 * list of a custom resource.
 */
export type ListStrategy =
  | { kind: 'merge'; mergeKey: string }
  | { kind: 'mergePrimitives' };

const common: Record<string, ListStrategy> = {
  'metadata.finalizers': { kind: 'mergePrimitives' },
  'metadata.ownerReferences': { kind: 'merge', mergeKey: 'uid' },
  'status.conditions': { kind: 'merge', mergeKey: 'type' },
};

const byResource: Record<string, Record<string, ListStrategy>> = {
  '/services': {
    'spec.ports': { kind: 'merge', mergeKey: 'port' },
  },
  '/nodes': {
    'spec.podCIDRs': { kind: 'mergePrimitives' },
    'status.addresses': { kind: 'merge', mergeKey: 'type' },
    'status.images': { kind: 'merge', mergeKey: 'names' },
  },
  '/namespaces': {
    'spec.finalizers': { kind: 'mergePrimitives' },
  },
};

export function listStrategy(
  groupResource: string,
  path: string,
): ListStrategy | undefined {
  return byResource[groupResource]?.[path] ?? common[path];
}
