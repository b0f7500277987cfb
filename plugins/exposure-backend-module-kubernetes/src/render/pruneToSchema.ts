/** The part of a CRD's structural schema (openAPIV3Schema) that decides pruning. */
export interface StructuralSchema {
  type?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * The value as the API server would store it under `schema`: fields the schema
 * does not declare are dropped (Kubernetes' structural pruning), and the path of
 * each one is returned. Hand-written: no maintained JavaScript library implements
 * Kubernetes' pruning rules, and only these few (properties, maps, arrays,
 * x-kubernetes-preserve-unknown-fields) decide what is kept.
 */
export function pruneToSchema(
  value: unknown,
  schema: StructuralSchema | undefined,
  path = '',
): { value: unknown; dropped: string[] } {
  if (
    !schema ||
    schema['x-kubernetes-preserve-unknown-fields'] ||
    value === null ||
    typeof value !== 'object'
  ) {
    return { value, dropped: [] };
  }
  if (Array.isArray(value)) {
    const dropped: string[] = [];
    const items = value.map((item, i) => {
      const out = pruneToSchema(item, schema.items, `${path}[${i}]`);
      dropped.push(...out.dropped);
      return out.value;
    });
    return { value: items, dropped };
  }
  const map =
    typeof schema.additionalProperties === 'object'
      ? schema.additionalProperties
      : undefined;
  if (!schema.properties && (map || schema.additionalProperties === true)) {
    const dropped: string[] = [];
    const entries = Object.entries(value).map(([k, v]) => {
      const out = pruneToSchema(v, map, join(path, k));
      dropped.push(...out.dropped);
      return [k, out.value] as const;
    });
    return { value: Object.fromEntries(entries), dropped };
  }
  const properties = schema.properties ?? {};
  const dropped: string[] = [];
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const field = join(path, k);
    if (!(k in properties)) {
      dropped.push(field);
      continue;
    }
    const out = pruneToSchema(v, properties[k], field);
    dropped.push(...out.dropped);
    kept[k] = out.value;
  }
  return { value: kept, dropped };
}
