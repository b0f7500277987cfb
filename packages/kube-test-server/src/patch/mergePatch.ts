import { isJsonObject } from '../types';

/**
 * JSON Merge Patch, RFC 7386 section 2 (MergePatch pseudo-code): objects merge
 * recursively, null removes a member, anything else replaces. Hand-written: the
 * algorithm is the RFC's eight lines.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isJsonObject(target)
    ? { ...target }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
