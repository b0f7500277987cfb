import { httpStatusOf } from './ClusterClient';

/** A cluster error in words a platform engineer can act on. */
export function describeClusterError(error: unknown): string {
  const status = httpStatusOf(error);
  const body = (error as { body?: unknown })?.body;
  const detail =
    typeof body === 'string'
      ? safeMessage(body)
      : (body as { message?: string } | undefined)?.message;
  if (status === 401) return 'unauthorized: the cluster rejected the token';
  if (status === 403)
    return `forbidden: ${detail ?? 'the token may not do this'}`;
  if (status) return `HTTP ${status}: ${detail ?? String(error)}`;
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return cause
    ? `unreachable (${cause}): ${message}`
    : `unreachable: ${message}`;
}

function safeMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return body.slice(0, 200) || undefined;
  }
}
