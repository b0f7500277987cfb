import { isJsonObject, JsonObject } from '../types';

/**
 * Drops fields a structural schema does not declare, as apiserver does for custom
 * resources ("Field pruning" in the CRD documentation), unless the schema says
 * `x-kubernetes-preserve-unknown-fields: true`, and fills in the schema's `default`
 * values for absent fields ("Defaulting"). apiVersion, kind and metadata are never
 * pruned at the top level. Hand-written: it walks the CRD's own schema.
 */
export function pruneUnknownFields(
  object: JsonObject,
  schema: JsonObject,
): JsonObject {
  const result = pruneValue(object, schema) as JsonObject;
  for (const key of ['apiVersion', 'kind', 'metadata']) {
    if (object[key] !== undefined) result[key] = object[key];
  }
  return result;
}

function pruneValue(value: unknown, schema: unknown): unknown {
  if (!isJsonObject(schema)) return value;
  if (Array.isArray(value)) {
    return schema.items
      ? value.map(item => pruneValue(item, schema.items))
      : value;
  }
  if (!isJsonObject(value)) return value;
  if (
    schema['x-kubernetes-preserve-unknown-fields'] === true &&
    !schema.properties
  )
    return value;
  const properties = isJsonObject(schema.properties)
    ? schema.properties
    : undefined;
  const additional = schema.additionalProperties;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (properties && key in properties) {
      result[key] = pruneValue(child, properties[key]);
    } else if (isJsonObject(additional)) {
      result[key] = pruneValue(child, additional);
    } else if (
      additional === true ||
      schema['x-kubernetes-preserve-unknown-fields'] === true
    ) {
      result[key] = child;
    }
  }
  for (const [key, property] of Object.entries(properties ?? {})) {
    if (result[key] === undefined && isJsonObject(property) && property.default !== undefined) {
      result[key] = structuredClone(property.default);
    }
  }
  return result;
}
