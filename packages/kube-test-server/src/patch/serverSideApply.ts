import { isJsonObject, JsonObject, sameJson } from '../types';
import {
  applyStrategicMergePatch,
  StrategyLookup,
} from './strategicMergePatch';

/**
 * Server-side apply, simplified: the applied configuration is merged into the
 * object (maps by key, lists by merge key where the kind has one, otherwise whole),
 * and the fields this manager applied last time but no longer applies are removed.
 * What each manager applied is kept in `metadata.managedFields` (FieldsV1, with
 * lists as single fields). Unlike apiserver, ownership is not shared with other
 * managers and conflicts are never reported.
 */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

const UNOWNED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
]);

/** The FieldsV1 set of a configuration: every map key down to the leaves. */
export function fieldsOf(config: JsonObject): JsonObject {
  const walk = (value: JsonObject, top: boolean): JsonObject => {
    const fields: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (top && (key === 'apiVersion' || key === 'kind')) continue;
      if (top && key === 'metadata' && isJsonObject(child)) {
        const meta = Object.fromEntries(
          Object.entries(child).filter(([k]) => !UNOWNED_METADATA.has(k)),
        );
        if (Object.keys(meta).length) fields['f:metadata'] = walk(meta, false);
        continue;
      }
      fields[`f:${key}`] = isJsonObject(child) ? walk(child, false) : {};
    }
    return fields;
  };
  return walk(config, true);
}

/** Removes from `object` the fields in `previous` that `current` no longer holds. */
function removeDropped(
  object: JsonObject,
  previous: JsonObject,
  current: JsonObject,
): void {
  for (const [key, sub] of Object.entries(previous)) {
    if (!key.startsWith('f:')) continue;
    const name = key.slice(2);
    const still = current[key];
    if (still === undefined) {
      delete object[name];
    } else if (
      isJsonObject(sub) &&
      isJsonObject(still) &&
      isJsonObject(object[name])
    ) {
      removeDropped(object[name] as JsonObject, sub, still);
    }
  }
}

export function serverSideApply(
  current: JsonObject,
  applied: JsonObject,
  manager: string,
  options: {
    apiVersion: string;
    now: string;
    subresource?: string;
    strategyOf: StrategyLookup;
  },
): JsonObject {
  const metadata = isJsonObject(current.metadata) ? current.metadata : {};
  const entries = (
    Array.isArray(metadata.managedFields) ? metadata.managedFields : []
  ) as ManagedFieldsEntry[];
  const mine = (e: ManagedFieldsEntry) =>
    e.manager === manager &&
    e.operation === 'Apply' &&
    e.subresource === options.subresource;
  const before = entries.find(mine);
  const previous = before?.fieldsV1 ?? {};
  const fields = fieldsOf(applied);

  const merged = applyStrategicMergePatch(current, applied, options.strategyOf);
  removeDropped(merged, previous, fields);
  // Re-applying the same fields keeps the entry as it was, so a no-op apply stays a
  // no-op (no new resourceVersion, no watch event).
  const entry: ManagedFieldsEntry =
    before && sameJson(previous, fields)
      ? before
      : {
          manager,
          operation: 'Apply',
          apiVersion: options.apiVersion,
          time: options.now,
          fieldsType: 'FieldsV1',
          fieldsV1: fields,
          ...(options.subresource ? { subresource: options.subresource } : {}),
        };
  if (!isJsonObject(merged.metadata)) merged.metadata = {};
  (merged.metadata as JsonObject).managedFields = [
    ...entries.filter(e => !mine(e)),
    entry,
  ];
  return merged;
}
