import { qualifiedResource, StatusError } from '../http/status';

/** One allow rule, shaped like an RBAC PolicyRule; `*` matches anything. */
export interface AllowRule {
  verbs: string[];
  /** Plural resource names, with `/status` for the subresource. */
  resources: string[];
  /** API groups (`''` is the core group); all groups when omitted. */
  apiGroups?: string[];
  /** Namespaces the rule holds in; all namespaces (and cluster scope) when omitted. */
  namespaces?: string[];
  /** Object names the rule holds for (get, update, patch, delete); all when omitted. */
  resourceNames?: string[];
}

export interface TokenIdentity {
  /** The user name reported in 403 messages. */
  user: string;
  /** `'*'` for everything (cluster-admin), or the rules that allow requests. */
  allow: '*' | AllowRule[];
}

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

function matches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

export function isAllowed(
  identity: TokenIdentity,
  request: RequestAttributes,
): boolean {
  if (identity.allow === '*') return true;
  const resource = request.subresource
    ? `${request.resource}/${request.subresource}`
    : request.resource;
  return identity.allow.some(
    rule =>
      matches(rule.verbs, request.verb) &&
      matches(rule.apiGroups, request.apiGroup) &&
      (matches(rule.resources, resource) ||
        rule.resources.includes(`*/${request.subresource}`)) &&
      (rule.namespaces === undefined ||
        (request.namespace !== undefined &&
          rule.namespaces.includes(request.namespace))),
  );
}

/** The 403 body the RBAC authorizer produces, word for word. */
export function forbidden(
  identity: TokenIdentity,
  request: RequestAttributes,
): StatusError {
  const resource = request.subresource
    ? `${request.resource}/${request.subresource}`
    : request.resource;
  const object = request.name
    ? `${qualifiedResource(request.apiGroup, request.resource)} "${
        request.name
      }"`
    : qualifiedResource(request.apiGroup, request.resource);
  const scope = request.namespace
    ? ` in the namespace "${request.namespace}"`
    : ' at the cluster scope';
  return new StatusError(
    403,
    'Forbidden',
    `${object} is forbidden: User "${identity.user}" cannot ${request.verb} resource "${resource}" in API group "${request.apiGroup}"${scope}`,
    {
      ...(request.name ? { name: request.name } : {}),
      ...(request.apiGroup ? { group: request.apiGroup } : {}),
      kind: request.resource,
    },
  );
}
