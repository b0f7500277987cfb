import { createHash } from 'node:crypto';
import { ResourceRegistry } from '../resources/ResourceRegistry';
import { ResourceType } from '../resources/ResourceType';

/**
 * OpenAPI v3 discovery (/openapi/v3) and one document per group/version, as much as
 * kubectl 1.32 reads: before `apply`, `create` or `patch` it looks for a PATCH
 * operation tagged with the object's group/version/kind that lists the
 * `fieldValidation` query parameter, and if found leaves validation to the server
 * (`fieldValidation=Strict`) instead of downloading schemas to validate locally.
 * Custom resources carry their CRD's schema as a component, for `kubectl explain`.
 * /openapi/v2 is not served (404), as on clusters that dropped it.
 */
function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function resourcePath(type: ResourceType): string {
  const base = `/${groupVersionPath(type.group, type.version)}`;
  return type.namespaced
    ? `${base}/namespaces/{namespace}/${type.resource}/{name}`
    : `${base}/${type.resource}/{name}`;
}

function queryParameter(name: string, description: string) {
  return {
    name,
    in: 'query',
    description,
    schema: { type: 'string', uniqueItems: true },
  };
}

function schemaName(type: ResourceType): string {
  const reversed = type.group
    ? type.group.split('.').reverse().join('.')
    : 'io.k8s.api.core';
  return `${reversed}.${type.version}.${type.kind}`;
}

function groupVersionDocument(
  registry: ResourceRegistry,
  group: string,
  version: string,
) {
  const types = registry.resourcesOf(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const type of types) {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    paths[resourcePath(type)] = {
      patch: {
        description: `partially update the specified ${type.kind}`,
        operationId: `patch${type.kind}`,
        parameters: [
          queryParameter(
            'dryRun',
            'When present, modifications are not persisted.',
          ),
          queryParameter(
            'fieldManager',
            'Name of the actor making the change.',
          ),
          queryParameter(
            'fieldValidation',
            'Ignore, Warn or Strict: what to do with unknown or duplicate fields.',
          ),
          {
            name: 'force',
            in: 'query',
            schema: { type: 'boolean', uniqueItems: true },
          },
        ],
        requestBody: {
          content: {
            'application/merge-patch+json': { schema: { type: 'object' } },
          },
        },
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
    if (type.schema) {
      schemas[schemaName(type)] = {
        ...type.schema,
        'x-kubernetes-group-version-kind': [gvk],
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-portico-test' },
    paths,
    components: { schemas },
  };
}

function hashOf(value: unknown): string {
  return createHash('sha512')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 64)
    .toUpperCase();
}

export function openApiDocument(
  registry: ResourceRegistry,
  path: string,
): unknown {
  if (path === '/openapi/v3') {
    const groupVersions = [
      { group: '', version: 'v1' },
      ...registry
        .groups()
        .flatMap(g => g.versions.map(version => ({ group: g.group, version }))),
    ];
    const entries = groupVersions.map(({ group, version }) => {
      const key = groupVersionPath(group, version);
      const hash = hashOf(groupVersionDocument(registry, group, version));
      return [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` }];
    });
    return { paths: Object.fromEntries(entries) };
  }
  const match = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(
    path,
  );
  if (!match) return undefined;
  return match[1]
    ? groupVersionDocument(registry, '', match[1])
    : groupVersionDocument(registry, match[2], match[3]);
}
