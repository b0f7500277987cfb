import { statusErrors } from '../http/status';
import { KubeObject } from '../types';

/**
 * The `fieldSelector` query parameter: `path=value`, `path==value`, `path!=value`,
 * comma-joined (apimachinery fields.ParseSelector). Any dotted path into the object
 * is accepted, a superset of the per-kind field labels apiserver allows.
 */
export interface FieldRequirement {
  path: string[];
  value: string;
  negate: boolean;
}

export function parseFieldSelector(
  text: string | null | undefined,
): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  return text
    .split(',')
    .filter(part => part.trim())
    .map(part => {
      const match = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
      if (!match)
        throw statusErrors.badRequest(
          `invalid selector: '${part}'; can't understand '${part}'`,
        );
      return {
        path: match[1].split('.'),
        value: match[3],
        negate: match[2] === '!=',
      };
    });
}

function valueAt(object: KubeObject, path: string[]): string {
  let current: unknown = object;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'object'
    ? JSON.stringify(current)
    : String(current);
}

export function matchesFields(
  requirements: FieldRequirement[],
  object: KubeObject,
): boolean {
  return requirements.every(
    r => (valueAt(object, r.path) === r.value) !== r.negate,
  );
}

/** The name a selector pins, if it pins one (`metadata.name=x`): a single-object watch. */
export function pinnedName(
  requirements: FieldRequirement[],
): string | undefined {
  return requirements.find(
    r => !r.negate && r.path.join('.') === 'metadata.name',
  )?.value;
}
