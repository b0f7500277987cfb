import { ResourceType } from './ResourceType';

function builtin(
  group: string,
  version: string,
  resource: string,
  kind: string,
  options: Partial<
    Pick<
      ResourceType,
      'namespaced' | 'shortNames' | 'categories' | 'statusSubresource'
    >
  > = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: options.namespaced ?? true,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    statusSubresource: options.statusSubresource ?? false,
  };
}

/** The built-in kinds Portico touches, with the names and scopes real clusters report. */
export const builtinResources: ResourceType[] = [
  builtin('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  builtin('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  builtin('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    shortNames: ['ns'],
    statusSubresource: true,
  }),
  builtin('', 'v1', 'nodes', 'Node', {
    namespaced: false,
    shortNames: ['no'],
    statusSubresource: true,
  }),
  builtin('', 'v1', 'secrets', 'Secret'),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', {
    shortNames: ['sa'],
  }),
  builtin('', 'v1', 'services', 'Service', {
    shortNames: ['svc'],
    categories: ['all'],
    statusSubresource: true,
  }),
  builtin(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    {
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      statusSubresource: true,
    },
  ),
  // Stored so the node agent's manifests apply as a whole; nothing runs them.
  builtin('apps', 'v1', 'deployments', 'Deployment', {
    shortNames: ['deploy'],
    categories: ['all'],
    statusSubresource: true,
  }),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', {
    shortNames: ['ds'],
    categories: ['all'],
    statusSubresource: true,
  }),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  builtin('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  // Stored so RBAC manifests apply; authorization comes from the server's token rules.
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', {
    namespaced: false,
  }),
  builtin(
    'rbac.authorization.k8s.io',
    'v1',
    'clusterrolebindings',
    'ClusterRoleBinding',
    {
      namespaced: false,
    },
  ),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
];

/** Built-in kinds accept strategic merge patch; custom resources do not. */
export function isBuiltin(type: ResourceType): boolean {
  return builtinResources.some(
    b => b.group === type.group && b.resource === type.resource,
  );
}
