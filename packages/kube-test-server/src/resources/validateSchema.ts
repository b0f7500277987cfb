import { isJsonObject, JsonObject } from '../types';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The checks of a CRD's structural schema that catch a client's mistakes: `type`,
 * `required`, `enum`, `minimum`/`maximum`, `minItems`/`maxItems`, `minLength`/
 * `maxLength`, `pattern` and `format: date-time`, with messages worded like
 * apiextensions-apiserver's. Runs on a pruned object (unknown fields are gone).
 * Hand-written: it mirrors the subset of kube-openapi's validator CRDs here use.
 */
export function validateAgainstSchema(
  object: JsonObject,
  schema: JsonObject,
): FieldError[] {
  const errors: FieldError[] = [];
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = object;
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const topLevel: JsonObject = { ...schema, properties: { ...properties } };
  for (const key of ['apiVersion', 'kind', 'metadata']) {
    delete (topLevel.properties as JsonObject)[key];
  }
  topLevel.required = ((schema.required as string[] | undefined) ?? []).filter(
    key => !['apiVersion', 'kind', 'metadata'].includes(key),
  );
  check(body, topLevel, '', errors);
  return errors;
}

/** A CRD's ECMA-262 pattern; one this engine cannot compile is not enforced. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function check(
  value: unknown,
  schema: JsonObject,
  path: string,
  errors: FieldError[],
): void {
  const at = path || '<root>';
  if (value === null) {
    if (schema.nullable !== true) {
      errors.push({
        field: at,
        message: `Invalid value: "null": ${at} in body must be of type ${String(
          schema.type,
        )}: "null"`,
      });
    }
    return;
  }
  const expected = schema.type as string | undefined;
  const actual = typeOf(value);
  if (
    expected &&
    actual !== expected &&
    !(expected === 'number' && actual === 'integer')
  ) {
    errors.push({
      field: at,
      message: `Invalid value: "${actual}": ${at} in body must be of type ${expected}: "${actual}"`,
    });
    return;
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some(e => JSON.stringify(e) === JSON.stringify(value))
  ) {
    errors.push({
      field: at,
      message: `Unsupported value: ${show(
        value,
      )}: supported values: ${schema.enum.map(show).join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      errors.push({
        field: at,
        message: `Invalid value: ${value}: ${at} in body should be greater than or equal to ${schema.minimum}`,
      });
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      errors.push({
        field: at,
        message: `Invalid value: ${value}: ${at} in body should be less than or equal to ${schema.maximum}`,
      });
    }
  }
  if (typeof value === 'string') {
    if (
      typeof schema.minLength === 'number' &&
      value.length < schema.minLength
    ) {
      errors.push({
        field: at,
        message: `Invalid value: "${value}": ${at} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (
      typeof schema.maxLength === 'number' &&
      value.length > schema.maxLength
    ) {
      errors.push({
        field: at,
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (
      typeof schema.pattern === 'string' &&
      !matchesPattern(schema.pattern, value)
    ) {
      errors.push({
        field: at,
        message: `Invalid value: "${value}": ${at} in body should match '${schema.pattern}'`,
      });
    }
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) {
      errors.push({
        field: at,
        message: `Invalid value: "${value}": ${at} in body must be of type date-time: "${value}"`,
      });
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      errors.push({
        field: at,
        message: `Invalid value: ${value.length}: ${at} in body should have at least ${schema.minItems} items`,
      });
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      errors.push({
        field: at,
        message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    if (isJsonObject(schema.items)) {
      value.forEach((item, i) =>
        check(item, schema.items as JsonObject, `${path}[${i}]`, errors),
      );
    }
  }
  if (isJsonObject(value)) {
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (value[key] === undefined) {
        errors.push({
          field: path ? `${path}.${key}` : key,
          message: 'Required value',
        });
      }
    }
    const properties = isJsonObject(schema.properties) ? schema.properties : {};
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const declared = properties[key] ?? schema.additionalProperties;
      if (isJsonObject(declared)) check(child, declared, childPath, errors);
    }
  }
}
