import { z } from 'zod';
import { meta } from './metallbSchemas';
import { ObjectRef, refOf } from './objectRef';

export interface ConfigProblem {
  ref: ObjectRef;
  message: string;
}

export const V1BETA1 = 'metallb.io/v1beta1';
export const V1BETA2 = 'metallb.io/v1beta2';

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .map(issue => `${issue.path.join('.') || '(object)'}: ${issue.message}`)
    .join('; ');
}

export type Parsed<S> = {
  meta: z.infer<typeof meta>;
  spec: S;
  ref: ObjectRef;
};

/**
 * Validates each object on its own: a bad one becomes a problem and is left out.
 * Oldest first, so when two objects clash the one that was there first stays.
 */
export function parseObjects<S extends z.ZodTypeAny>(
  raw: unknown[],
  spec: S,
  apiVersion: string,
  kind: string,
  problems: ConfigProblem[],
): Parsed<z.infer<S>>[] {
  const out: Parsed<z.infer<S>>[] = [];
  for (const obj of raw) {
    const ref = refOf((obj ?? {}) as any, apiVersion, kind);
    const m = meta.safeParse((obj as any)?.metadata);
    if (!m.success) {
      problems.push({
        ref,
        message: `invalid metadata: ${zodMessage(m.error)}`,
      });
      continue;
    }
    const s = spec.safeParse((obj as any)?.spec ?? {});
    if (!s.success) {
      problems.push({
        ref,
        message: `invalid ${kind}: ${zodMessage(s.error)}`,
      });
      continue;
    }
    out.push({ meta: m.data, spec: s.data, ref });
  }
  return out.sort(
    (a, b) =>
      (a.meta.creationTimestamp ?? '').localeCompare(
        b.meta.creationTimestamp ?? '',
      ) || a.meta.name.localeCompare(b.meta.name),
  );
}

/**
 * Fields MetalLB defines that Portico does not implement. A value other than the
 * field's default is refused by name: the object is not used at all, never run
 * with part of what its author asked for.
 */
export function unsupportedFields(
  kind: string,
  spec: Record<string, unknown>,
  fields: Record<string, { unless?: unknown; why: string }>,
): string[] {
  const out: string[] = [];
  for (const [field, rule] of Object.entries(fields)) {
    const value = spec[field];
    if (value === undefined || value === '' || value === rule.unless) continue;
    out.push(
      `spec.${field} (${JSON.stringify(value)}) is not supported: ${
        rule.why
      }; this ${kind} is not used`,
    );
  }
  return out;
}
