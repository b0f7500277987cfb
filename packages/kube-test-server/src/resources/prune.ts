import { isJsonObject, JsonObject } from '../types';

/**
 * Drops fields a structural schema does not declare, as apiserver does for custom
 * resources ("Field pruning" in the CRD documentation), unless the schema says
 * `x-kubernetes-preserve-unknown-fields: true`, and fills in the schema's `default`
 * values for absent fields ("Defaulting"). apiVersion, kind and metadata are never
 * pruned at the top level. The paths of dropped fields are pushed to `pruned`, for
 * strict field validation. Hand-written: it walks the CRD's own schema.
 */
export function pruneUnknownFields(
  object: JsonObject,
  schema: JsonObject,
  pruned: string[] = [],
): JsonObject {
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = object;
  const result = pruneValue(body, schema, '', pruned) as JsonObject;
  for (const key of ['apiVersion', 'kind', 'metadata']) {
    if (object[key] !== undefined) result[key] = object[key];
  }
  return result;
}

function pruneValue(
  value: unknown,
  schema: unknown,
  path: string,
  pruned: string[],
): unknown {
  if (!isJsonObject(schema)) return value;
  if (Array.isArray(value)) {
    return schema.items
      ? value.map((item, i) =>
          pruneValue(item, schema.items, `${path}[${i}]`, pruned),
        )
      : value;
  }
  if (!isJsonObject(value)) return value;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (preserve && !schema.properties) return value;
  const properties = isJsonObject(schema.properties)
    ? schema.properties
    : undefined;
  const additional = schema.additionalProperties;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (properties && key in properties) {
      result[key] = pruneValue(child, properties[key], childPath, pruned);
    } else if (isJsonObject(additional)) {
      result[key] = pruneValue(child, additional, childPath, pruned);
    } else if (additional === true || preserve) {
      result[key] = child;
    } else {
      pruned.push(childPath);
    }
  }
  for (const [key, property] of Object.entries(properties ?? {})) {
    if (
      !(path === '' && ['apiVersion', 'kind', 'metadata'].includes(key)) &&
      result[key] === undefined &&
      isJsonObject(property) &&
      property.default !== undefined
    ) {
      result[key] = structuredClone(property.default);
    }
  }
  return result;
}
