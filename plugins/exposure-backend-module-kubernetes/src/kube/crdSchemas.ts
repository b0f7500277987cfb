import type { KubeObject } from '../render/kubeObject';
import { StructuralSchema } from '../render/pruneToSchema';
import { MANAGED_CRD_NAMES } from './clusterCalls';
import { httpStatusOf } from './ClusterClient';

interface CrdShape {
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: Array<{
      name: string;
      schema?: { openAPIV3Schema?: StructuralSchema };
    }>;
  };
}

/** The `spec` schema of each managed kind, as the target cluster's CRDs define it. */
export interface CrdSchemas {
  /** Undefined when the cluster's CRD could not be read: then nothing is pruned. */
  specOf(apiVersion: string, kind: string): StructuralSchema | undefined;
  /** CRDs that could not be read, in words. */
  problems: Array<{ object: string; message: string }>;
}

/**
 * Reads the CRD of every kind the reconciler writes. A missing CRD is left to the
 * writes (they fail for that kind alone); a CRD the token may not read is
 * reported and the kind rendered in full.
 */
export async function readCrdSchemas(client: {
  read(header: KubeObject): Promise<KubeObject | undefined>;
}): Promise<CrdSchemas> {
  const specs = new Map<string, StructuralSchema | undefined>();
  const problems: CrdSchemas['problems'] = [];
  await Promise.all(
    MANAGED_CRD_NAMES.map(async name => {
      let crd: CrdShape | undefined;
      try {
        crd = (await client.read({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name },
        })) as CrdShape | undefined;
      } catch (error) {
        if (!httpStatusOf(error)) throw error;
        problems.push({
          object: `CustomResourceDefinition/${name}`,
          message: `cannot read the CRD (HTTP ${httpStatusOf(
            error,
          )}): its objects are written in full`,
        });
        return;
      }
      const spec = crd?.spec;
      for (const version of spec?.versions ?? []) {
        specs.set(
          `${spec!.group}/${version.name}/${spec!.names?.kind}`,
          version.schema?.openAPIV3Schema?.properties?.spec,
        );
      }
    }),
  );
  return {
    specOf: (apiVersion, kind) => specs.get(`${apiVersion}/${kind}`),
    problems,
  };
}
