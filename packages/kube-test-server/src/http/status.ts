/**
 * metav1.Status bodies, shaped like the ones kube-apiserver sends, and an error
 * carrying one so handlers can throw and the server answers with the right code.
 */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): StatusBody {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** "services" or "ipaddresspools.metallb.io", the way apiserver names a group-resource. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

function detailsFor(group: string, resource: string, name?: string) {
  return {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind: resource,
  };
}

export const statusErrors = {
  notFound(group: string, resource: string, name: string) {
    return new StatusError(
      404,
      'NotFound',
      `${qualifiedResource(group, resource)} "${name}" not found`,
      detailsFor(group, resource, name),
    );
  },
  alreadyExists(group: string, resource: string, name: string) {
    return new StatusError(
      409,
      'AlreadyExists',
      `${qualifiedResource(group, resource)} "${name}" already exists`,
      detailsFor(group, resource, name),
    );
  },
  conflict(group: string, resource: string, name: string) {
    return new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(
        group,
        resource,
      )} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      detailsFor(group, resource, name),
    );
  },
  invalid(
    group: string,
    kind: string,
    name: string,
    causes: Array<{ field: string; message: string }>,
  ) {
    const each = causes.map(c => `${c.field}: ${c.message}`);
    const text = each.length === 1 ? each[0] : `[${each.join(', ')}]`;
    return new StatusError(
      422,
      'Invalid',
      `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${text}`,
      {
        name,
        ...(group ? { group } : {}),
        kind,
        causes: causes.map(c => ({
          reason:
            c.message === 'Required value'
              ? 'FieldValueRequired'
              : 'FieldValueInvalid',
          message: c.message,
          field: c.field,
        })),
      },
    );
  },
  badRequest(message: string) {
    return new StatusError(400, 'BadRequest', message);
  },
  methodNotAllowed(
    message = 'the server does not allow this method on the requested resource',
  ) {
    return new StatusError(405, 'MethodNotAllowed', message);
  },
  unsupportedMediaType(contentType: string) {
    return new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got ${contentType}`,
    );
  },
  expired(message: string) {
    return new StatusError(410, 'Expired', message);
  },
  unauthorized() {
    return new StatusError(401, 'Unauthorized', 'Unauthorized');
  },
  serviceUnavailable(message: string) {
    return new StatusError(503, 'ServiceUnavailable', message);
  },
};
