import { MANAGED_KINDS } from '../render/kubeObject';

/** One kind of Kubernetes object the reconciler touches, and how. */
export interface ClusterCall {
  apiVersion: string;
  kind: string;
  /** API group ('' for the core group) and plural resource, as RBAC names them. */
  group: string;
  resource: string;
  verbs: readonly string[];
  /** Set when the reconciler only ever reads objects of these names. */
  resourceNames?: readonly string[];
}

const PLURALS: Record<string, string> = {
  IPAddressPool: 'ipaddresspools',
  L2Advertisement: 'l2advertisements',
  BGPAdvertisement: 'bgpadvertisements',
  BGPPeer: 'bgppeers',
  ExposureGrant: 'exposuregrants',
};

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';

/** The CRD of each managed kind, by name: its schema says which fields the cluster keeps. */
export const MANAGED_CRD_NAMES = MANAGED_KINDS.map(
  k => `${PLURALS[k.kind]}.${groupOf(k.apiVersion)}`,
);

/**
 * Every call the reconciler makes to a cluster. ClusterClient refuses a call that
 * is not here, and a test compares this list with what deploy/rbac/portal.yaml
 * grants (`kubectl auth can-i --list`), so the code and the role cannot part.
 */
export const CLUSTER_CALLS: readonly ClusterCall[] = [
  ...MANAGED_KINDS.map(k => ({
    apiVersion: k.apiVersion,
    kind: k.kind,
    group: groupOf(k.apiVersion),
    resource: PLURALS[k.kind],
    verbs: ['list', 'create', 'update', 'delete'],
  })),
  {
    apiVersion: 'v1',
    kind: 'Service',
    group: '',
    resource: 'services',
    verbs: ['list'],
  },
  // The MetalLB namespace, when the cluster does not have it yet.
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    group: '',
    resource: 'namespaces',
    verbs: ['get', 'create'],
  },
  // Events on grants the reconciler removes.
  {
    apiVersion: 'v1',
    kind: 'Event',
    group: '',
    resource: 'events',
    verbs: ['create'],
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    verbs: ['get'],
    resourceNames: MANAGED_CRD_NAMES,
  },
];

/** Throws unless `verb` on `kind` is one of CLUSTER_CALLS. */
export function assertListedCall(
  apiVersion: string,
  kind: string,
  verb: string,
  name?: string,
): void {
  const call = CLUSTER_CALLS.find(
    c => c.apiVersion === apiVersion && c.kind === kind,
  );
  const allowed =
    call?.verbs.includes(verb) &&
    (!call.resourceNames || (!!name && call.resourceNames.includes(name)));
  if (!allowed) {
    throw new Error(
      `${verb} ${apiVersion} ${kind}${
        name ? ` ${name}` : ''
      } is not in CLUSTER_CALLS (src/kube/clusterCalls.ts); add it there and to deploy/rbac/portal.yaml`,
    );
  }
}
