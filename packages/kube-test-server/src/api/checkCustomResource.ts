import { statusErrors } from '../http/status';
import { pruneUnknownFields } from '../resources/prune';
import { ResourceType } from '../resources/ResourceType';
import { validateAgainstSchema } from '../resources/validateSchema';
import { KubeObject } from '../types';

/**
 * What apiserver does with a custom resource against its CRD version's schema before
 * storing it: prune unknown fields (a 400 instead under `fieldValidation=Strict`),
 * fill in defaults, and validate (422). Built-in kinds pass through.
 */
export function checkCustomResource(
  type: ResourceType,
  object: KubeObject,
  fieldValidation?: string,
): KubeObject {
  if (!type.schema) return object;
  const unknown: string[] = [];
  const pruned = pruneUnknownFields(object, type.schema, unknown) as KubeObject;
  if (fieldValidation === 'Strict' && unknown.length) {
    throw statusErrors.badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${
        type.kind
      }: strict decoding error: ${unknown
        .map(path => `unknown field "${path}"`)
        .join(', ')}`,
    );
  }
  const errors = validateAgainstSchema(pruned, type.schema);
  if (errors.length) {
    throw statusErrors.invalid(
      type.group,
      type.kind,
      pruned.metadata.name ?? '',
      errors,
    );
  }
  return pruned;
}
