import { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, statusErrors } from './status';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads a request body and decodes it as JSON, or YAML for the media types that allow it. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new StatusError(
        413,
        'RequestEntityTooLarge',
        'the request body is too large',
      );
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  const contentType = mediaType(req.headers['content-type']);
  try {
    if (contentType.endsWith('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (error) {
    throw statusErrors.badRequest(
      `the body of the request could not be decoded: ${String(error)}`,
    );
  }
}

export function mediaType(header: string | undefined): string {
  return (header ?? 'application/json').split(';')[0].trim().toLowerCase();
}
