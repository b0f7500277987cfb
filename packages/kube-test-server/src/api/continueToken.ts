import { statusErrors } from '../http/status';
import { KubeObject } from '../types';

/** Where an object sorts in a list: storage order, namespace then name, like etcd keys. */
export function itemKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** An opaque `continue` token: the list's resourceVersion and the last key served. */
export function encodeContinue(rv: string, start: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv, start }),
  ).toString('base64url');
}

export function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed.rv === 'string' && typeof parsed.start === 'string')
      return parsed;
  } catch {
    // fall through to the error below
  }
  throw statusErrors.badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
