import { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from './protobufBody';
import { StatusError, statusErrors } from './status';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads a request body and decodes it as JSON, or YAML for the media types that allow it. */
export async function readBody(
  req: IncomingMessage,
  options: { optional?: boolean } = {},
): Promise<unknown> {
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
  const contentType = mediaType(req.headers['content-type']);
  if (contentType.includes('protobuf') || contentType.includes('cbor')) {
    // DeleteOptions are optional: a delete goes ahead without them.
    if (options.optional) return undefined;
    const decoded = contentType.includes('protobuf')
      ? decodeProtobufObject(Buffer.concat(chunks))
      : undefined;
    if (decoded) return decoded;
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; protobuf only for Namespace, ConfigMap, Secret and Service (got ${contentType})`,
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
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
