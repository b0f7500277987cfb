import { IncomingMessage, ServerResponse } from 'node:http';
import {
  ListOptions,
  PatchType,
  ResourceService,
} from '../api/ResourceService';
import { isBuiltin } from '../resources/builtinResources';
import { apiVersionOf, ResourceType } from '../resources/ResourceType';
import { parseFieldSelector } from '../selectors/fieldSelector';
import { parseLabelSelector } from '../selectors/labelSelector';
import { isJsonObject, KubeObject } from '../types';
import { mediaType, readBody } from './body';
import { RequestInfo } from './requestInfo';
import { sendJson } from './respond';
import { statusErrors } from './status';
import { IncludeObject, tableFor, wantsTable } from './table';
import { streamWatch } from './watchStream';

export interface ResourceRequestContext {
  service: ResourceService;
  bookmarkIntervalMs: number;
  /** Aborted when the server stops or goes down: ends every watch. */
  watchSignal: AbortSignal;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** One request for a resource or a collection: the verb, its query and body. */
export async function handleResourceRequest(
  context: ResourceRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: Extract<RequestInfo, { type: 'resource' }>,
  type: ResourceType,
  query: URLSearchParams,
): Promise<void> {
  const { service } = context;
  const namespace = type.namespaced ? info.namespace : undefined;
  const dryRun = query.getAll('dryRun').includes('All');
  const fieldValidation = query.get('fieldValidation') ?? undefined;
  const selectors: ListOptions = {
    labelSelector: parseLabelSelector(query.get('labelSelector')),
    fieldSelector: parseFieldSelector(query.get('fieldSelector')),
    limit: query.get('limit') ? Number(query.get('limit')) : undefined,
    continueToken: query.get('continue') ?? undefined,
  };
  const table = wantsTable(req.headers.accept);
  const includeObject = (query.get('includeObject') ??
    'Metadata') as IncludeObject;
  const render = (object: KubeObject) =>
    table ? tableFor(type, [object], includeObject) : object;

  if (['update', 'patch'].includes(info.verb) && info.name === undefined) {
    throw statusErrors.methodNotAllowed();
  }
  if (info.verb === 'create' && info.name !== undefined && !info.subresource) {
    throw statusErrors.methodNotAllowed();
  }
  switch (info.verb) {
    case 'get':
      if (info.subresource && info.subresource !== 'status') {
        throw statusErrors.notFound(
          type.group,
          `${type.resource}/${info.subresource}`,
          info.name!,
        );
      }
      if (info.subresource && !type.statusSubresource)
        throw statusErrors.notFound(type.group, type.resource, info.name!);
      sendJson(res, 200, render(service.get(type, namespace, info.name!)));
      return;
    case 'list': {
      const result = service.list(type, namespace, selectors);
      if (table) {
        const t = tableFor(type, result.items, includeObject) as Record<
          string,
          unknown
        >;
        t.metadata = {
          resourceVersion: result.resourceVersion,
          ...(result.continueToken ? { continue: result.continueToken } : {}),
        };
        sendJson(res, 200, t);
        return;
      }
      sendJson(res, 200, {
        kind: type.listKind,
        apiVersion: apiVersionOf(type),
        metadata: {
          resourceVersion: result.resourceVersion,
          ...(result.continueToken ? { continue: result.continueToken } : {}),
          ...(result.remainingItemCount !== undefined
            ? { remainingItemCount: result.remainingItemCount }
            : {}),
        },
        items: isBuiltin(type)
          ? result.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest)
          : result.items,
      });
      return;
    }
    case 'watch':
      streamWatch(service, res, {
        type,
        namespace,
        name: info.name,
        selectors,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: query.get('sendInitialEvents') === 'true',
        timeoutSeconds: query.get('timeoutSeconds')
          ? Number(query.get('timeoutSeconds'))
          : undefined,
        bookmarkIntervalMs: context.bookmarkIntervalMs,
        signal: context.watchSignal,
        render,
      });
      return;
    case 'create': {
      const body = await readBody(req);
      sendJson(
        res,
        201,
        service.create(type, namespace, body, {
          subresource: info.subresource,
          dryRun,
          fieldValidation,
        }),
      );
      return;
    }
    case 'update': {
      const body = await readBody(req);
      sendJson(
        res,
        200,
        service.update(type, namespace, info.name!, body, {
          subresource: info.subresource,
          dryRun,
          fieldValidation,
        }),
      );
      return;
    }
    case 'patch': {
      const contentType = mediaType(req.headers['content-type']);
      const patchType = PATCH_TYPES[contentType];
      if (!patchType) throw statusErrors.unsupportedMediaType(contentType);
      const body = await readBody(req);
      const existed = exists(service, type, namespace, info.name!);
      const result = service.patch(
        type,
        namespace,
        info.name!,
        patchType,
        body,
        {
          subresource: info.subresource,
          dryRun,
          fieldValidation,
          fieldManager: query.get('fieldManager') ?? undefined,
        },
      );
      sendJson(res, existed ? 200 : 201, result);
      return;
    }
    case 'delete': {
      const body = await readBody(req, { optional: true });
      const preconditions =
        isJsonObject(body) && isJsonObject(body.preconditions)
          ? body.preconditions
          : {};
      const { object, deleted } = service.delete(
        type,
        namespace,
        info.name!,
        preconditions as { uid?: string; resourceVersion?: string },
        {
          dryRun:
            dryRun ||
            (isJsonObject(body) &&
              Array.isArray(body.dryRun) &&
              body.dryRun.includes('All')),
        },
      );
      if (!deleted) {
        sendJson(res, 202, object);
        return;
      }
      sendJson(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name: object.metadata.name,
          ...(type.group ? { group: type.group } : {}),
          kind: type.resource,
          uid: object.metadata.uid,
        },
      });
      return;
    }
    case 'deletecollection': {
      const items = service.deleteCollection(
        type,
        namespace,
        selectors,
        dryRun,
      );
      sendJson(res, 200, {
        kind: type.listKind,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(service.store.resourceVersion) },
        items,
      });
      return;
    }
    default:
      throw statusErrors.methodNotAllowed();
  }
}

function exists(
  service: ResourceService,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): boolean {
  try {
    service.get(type, namespace, name);
    return true;
  } catch {
    return false;
  }
}
