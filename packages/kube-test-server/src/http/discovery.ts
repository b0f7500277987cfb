import { ResourceRegistry } from '../resources/ResourceRegistry';
import { ALL_VERBS, ResourceType } from '../resources/ResourceType';

/** Legacy (unaggregated) discovery documents: APIVersions, APIGroupList, APIResourceList. */
export function coreVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: {
  group: string;
  versions: string[];
  preferredVersion: string;
}) {
  return {
    name: group.group,
    versions: group.versions.map(version => ({
      groupVersion: `${group.group}/${version}`,
      version,
    })),
    preferredVersion: {
      groupVersion: `${group.group}/${group.preferredVersion}`,
      version: group.preferredVersion,
    },
  };
}

export function groupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map(groupEntry),
  };
}

export function groupDocument(registry: ResourceRegistry, group: string) {
  const found = registry.groups().find(g => g.group === group);
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found) };
}

export function resourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
) {
  const types = registry.resourcesOf(group, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap(type => [
    {
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ALL_VERBS,
      ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length ? { categories: type.categories } : {}),
    },
    ...(type.statusSubresource
      ? [
          {
            name: `${type.resource}/status`,
            singularName: '',
            namespaced: type.namespaced,
            kind: type.kind,
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : []),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/**
 * Aggregated discovery (apidiscovery.k8s.io/v2, KEP-3352): one document for /api or
 * /apis with every group, version and resource, which kubectl 1.32 asks for first.
 */
export const AGGREGATED_MEDIA_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some(part => {
    const params = part.split(';').map(p => p.trim());
    return (
      params.includes('g=apidiscovery.k8s.io') &&
      params.includes('v=v2') &&
      params.includes('as=APIGroupDiscoveryList')
    );
  });
}

function resourceDiscovery(type: ResourceType) {
  const responseKind = {
    group: type.group,
    version: type.version,
    kind: type.kind,
  };
  return {
    resource: type.resource,
    responseKind,
    scope: type.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: type.singular,
    verbs: ALL_VERBS,
    ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length ? { categories: type.categories } : {}),
    ...(type.statusSubresource
      ? {
          subresources: [
            {
              subresource: 'status',
              responseKind,
              verbs: ['get', 'patch', 'update'],
            },
          ],
        }
      : {}),
  };
}

export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean) {
  const groups = core
    ? [{ group: '', versions: ['v1'], preferredVersion: 'v1' }]
    : registry.groups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map(group => ({
      metadata: { name: group.group, creationTimestamp: null },
      versions: group.versions.map(version => ({
        version,
        resources: registry
          .resourcesOf(group.group, version)
          .map(resourceDiscovery),
        freshness: 'Current',
      })),
    })),
  };
}

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-portico-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};
