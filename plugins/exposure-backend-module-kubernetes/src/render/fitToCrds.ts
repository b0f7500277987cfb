import type { CrdSchemas } from '../kube/crdSchemas';
import { KubeObject, objectKey } from './kubeObject';
import { pruneToSchema } from './pruneToSchema';

/**
 * The desired objects with only the spec fields the target cluster's CRDs hold
 * (MetalLB's own CRDs, say, where the portal renders Portico's extensions): what
 * the server would prune is never written, so the next pass finds nothing
 * changed. Each dropped field is reported.
 */
export function fitToCrds(
  desired: KubeObject[],
  schemas: CrdSchemas,
): {
  objects: KubeObject[];
  problems: Array<{ object: string; message: string }>;
} {
  const problems: Array<{ object: string; message: string }> = [];
  const objects = desired.map(object => {
    const schema = schemas.specOf(object.apiVersion, object.kind);
    if (!schema || object.spec === undefined) return object;
    const { value, dropped } = pruneToSchema(object.spec, schema);
    if (dropped.length === 0) return object;
    problems.push({
      object: objectKey(object),
      message: `not written: ${dropped
        .map(f => `spec.${f}`)
        .join(', ')} (this cluster's ${object.kind} CRD, ${
        object.apiVersion
      }, has no such field)`,
    });
    return { ...object, spec: value };
  });
  return { objects, problems };
}
