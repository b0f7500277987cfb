import { statusErrors } from './status';

/**
 * What a request path means, following apiserver's RequestInfoFactory: discovery
 * paths, or a resource request with its group, version, namespace, resource, name,
 * subresource and verb.
 */
export type RequestInfo =
  | { type: 'discovery'; path: string }
  | {
      type: 'resource';
      apiGroup: string;
      apiVersion: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
      verb: string;
    };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(
  method: string,
  pathname: string,
  query: URLSearchParams,
): RequestInfo {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw statusErrors.badRequest(`malformed path: ${pathname}`);
  }
  let rest: string[];
  let apiGroup: string;
  let apiVersion: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    apiVersion = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1];
    apiVersion = parts[2];
    rest = parts.slice(3);
  } else {
    return { type: 'discovery', path: `/${parts.join('/')}` };
  }

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource] = rest;
  if (resource === 'namespaces' && name !== undefined) namespace = undefined;

  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const watchParam = query.get('watch');
      const watching = watchPath || watchParam === 'true' || watchParam === '1';
      if (watching) verb = 'watch';
      else verb = name === undefined ? 'list' : 'get';
      break;
    }
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    type: 'resource',
    apiGroup,
    apiVersion,
    namespace,
    resource,
    name,
    subresource,
    verb,
  };
}
