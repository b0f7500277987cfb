import { statusErrors } from '../http/status';

/**
 * The `labelSelector` query parameter grammar of apimachinery's labels.Parse:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas.
 * Hand-written: no maintained JavaScript library parses this syntax.
 */
export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export type Labels = Record<string, string> | undefined;

export function parseLabelSelector(
  text: string | null | undefined,
): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  if (!text || !text.trim()) return requirements;
  for (const clause of splitTopLevel(text)) {
    const part = clause.trim();
    if (!part) continue;
    requirements.push(parseRequirement(part));
  }
  return requirements;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[-A-Za-z0-9_.]*`;

function parseRequirement(part: string): LabelRequirement {
  let match = new RegExp(`^!\\s*(${KEY})$`).exec(part);
  if (match) return { key: match[1], op: 'doesnotexist' };
  match = new RegExp(`^(${KEY})$`).exec(part);
  if (match) return { key: match[1], op: 'exists' };
  match = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part);
  if (match) {
    return {
      key: match[1],
      op: match[2] === '!=' ? 'notin' : 'in',
      values: [match[3]],
    };
  }
  match = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part);
  if (match) {
    const values = match[3].split(',').map(v => v.trim());
    if (values.some(v => !new RegExp(`^${VALUE}$`).test(v))) {
      throw statusErrors.badRequest(
        `unable to parse requirement: invalid label value in "${part}"`,
      );
    }
    return { key: match[1], op: match[2] as 'in' | 'notin', values };
  }
  throw statusErrors.badRequest(
    `unable to parse requirement: found '${part}', expected: key, '=', '!=', 'in' or 'notin'`,
  );
}

export function matchesLabels(
  requirements: LabelRequirement[],
  labels: Labels,
): boolean {
  return requirements.every(r => {
    const has =
      labels !== undefined &&
      Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(labels![r.key]);
      case 'notin':
        return !has || !r.values.includes(labels![r.key]);
      default:
        return false;
    }
  });
}
