/** The part of a Kubernetes object Portico renders and compares. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec?: unknown;
  status?: unknown;
}

/** Every object Portico writes carries this label, so it can find and delete its own. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'portico';

/** The kinds the reconciler owns in a cluster, in the order they are applied. */
export const MANAGED_KINDS = [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', namespaced: true },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    namespaced: true,
  },
  {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    namespaced: true,
  },
  { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', namespaced: true },
  {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ExposureGrant',
    namespaced: false,
  },
] as const;

export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
