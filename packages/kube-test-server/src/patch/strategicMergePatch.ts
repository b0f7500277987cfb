import { statusErrors } from '../http/status';
import { isJsonObject, JsonObject } from '../types';
import { ListStrategy } from './patchMeta';

/**
 * Strategic merge patch as apimachinery's strategicpatch package applies it
 * (see "Notes on the strategic merge patch" in the Kubernetes contributor docs):
 * maps merge, `null` deletes, lists merge by their merge key when the type says so
 * and are replaced otherwise, and the directives `$patch` (replace | delete | merge),
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are
 * honoured. Hand-written: no maintained JavaScript implementation exists.
 */
export type StrategyLookup = (path: string) => ListStrategy | undefined;

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonObject,
  strategyOf: StrategyLookup,
): JsonObject {
  return mergeMap(original, patch, '', strategyOf) ?? {};
}

function join(path: string, key: string) {
  return path ? `${path}.${key}` : key;
}

function mergeMap(
  original: JsonObject | undefined,
  patch: JsonObject,
  path: string,
  strategyOf: StrategyLookup,
): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  const { $patch: _ignored, ...body } = patch;
  if (directive === 'replace') return stripDirectives(body) as JsonObject;
  if (directive !== undefined && directive !== 'merge') {
    throw statusErrors.badRequest(`Unknown patch type: ${String(directive)}`);
  }
  const result: JsonObject = { ...(original ?? {}) };

  if (Array.isArray(body.$retainKeys)) {
    const keep = new Set(body.$retainKeys as string[]);
    for (const key of Object.keys(result))
      if (!keep.has(key)) delete result[key];
  }

  for (const [key, value] of Object.entries(body)) {
    if (key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVES)) {
      const field = key.slice(DELETE_PRIMITIVES.length);
      const remove = new Set((value as unknown[]).map(v => JSON.stringify(v)));
      if (Array.isArray(result[field])) {
        result[field] = (result[field] as unknown[]).filter(
          v => !remove.has(JSON.stringify(v)),
        );
      }
      continue;
    }
    const childPath = join(path, key);
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      const merged = mergeMap(
        isJsonObject(result[key]) ? (result[key] as JsonObject) : undefined,
        value,
        childPath,
        strategyOf,
      );
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, childPath, strategyOf);
    } else {
      result[key] = value;
    }
  }

  for (const [key, order] of Object.entries(body)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    if (Array.isArray(result[field])) {
      result[field] = reorder(
        result[field] as unknown[],
        order,
        strategyOf(join(path, field)),
      );
    }
  }
  return result;
}

function mergeList(
  original: unknown,
  patch: unknown[],
  path: string,
  strategyOf: StrategyLookup,
): unknown[] {
  const strategy = strategyOf(path);
  const replaceItem = patch.find(
    item => isJsonObject(item) && item.$patch === 'replace',
  );
  if (!strategy || !Array.isArray(original) || replaceItem) {
    return patch
      .filter(
        item =>
          !(
            isJsonObject(item) &&
            item.$patch !== undefined &&
            Object.keys(item).length === 1
          ),
      )
      .filter(item => !(isJsonObject(item) && item.$patch === 'delete'))
      .map(stripDirectives);
  }
  if (strategy.kind === 'mergePrimitives') {
    const seen = new Set(original.map(v => JSON.stringify(v)));
    return [...original, ...patch.filter(v => !seen.has(JSON.stringify(v)))];
  }
  const key = strategy.mergeKey;
  const result = [...original];
  for (const item of patch) {
    if (!isJsonObject(item)) {
      throw statusErrors.badRequest(
        `unable to find api field in struct for the list item at ${path}`,
      );
    }
    const index = result.findIndex(
      o => isJsonObject(o) && o[key] === item[key],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      result[index] = mergeMap(
        result[index] as JsonObject,
        item,
        path,
        strategyOf,
      );
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result.filter(item => item !== undefined);
}

function reorder(
  list: unknown[],
  order: unknown[],
  strategy: ListStrategy | undefined,
): unknown[] {
  const identity = (item: unknown) =>
    strategy?.kind === 'merge' && isJsonObject(item)
      ? JSON.stringify(item[strategy.mergeKey])
      : JSON.stringify(item);
  const rank = new Map(order.map((item, index) => [identity(item), index]));
  const ranked = list.filter(item => rank.has(identity(item)));
  const rest = list.filter(item => !rank.has(identity(item)));
  ranked.sort((a, b) => rank.get(identity(a))! - rank.get(identity(b))!);
  return [...ranked, ...rest];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isJsonObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    result[key] = stripDirectives(child);
  }
  return result;
}
