import { ResourceRegistry } from '../resources/ResourceRegistry';

/** OpenAPI documents; none are served yet, so clients fall back as they do on old clusters. */
export function openApiDocument(
  _registry: ResourceRegistry,
  _path: string,
): unknown {
  return undefined;
}
