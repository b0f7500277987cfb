import { expect } from '@jest/globals';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The committed OpenAPI document of the plugin. */
export const spec = parse(
  readFileSync(join(__dirname, '../../openapi.yaml'), 'utf8'),
);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: spec.components }, 'spec');

function resolveSchema(schema: any): any {
  return JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/'),
  );
}

/** Every (METHOD path) the document declares, with `{param}` segments. */
export function specOperations(): string[] {
  return Object.entries(spec.paths as Record<string, object>).flatMap(
    ([path, item]) =>
      Object.keys(item)
        .filter(k => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map(method => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * Asserts that a response matches the status and JSON schema the document
 * declares for the operation.
 */
export function expectResponseMatchesSpec(
  method: string,
  path: string,
  response: { status: number; body: unknown; type?: string },
) {
  const operation = spec.paths[path]?.[method.toLowerCase()];
  expect(operation).toBeTruthy();
  const declared = operation.responses[String(response.status)];
  if (!declared) {
    throw new Error(
      `${method} ${path} answered ${response.status}, which the document does not declare`,
    );
  }
  const content = declared.$ref
    ? spec.components.responses[declared.$ref.split('/').pop()].content
    : declared.content;
  const schema = content?.['application/json']?.schema;
  if (!schema || response.type === 'text/csv') return;
  const validate = ajv.compile(resolveSchema(schema));
  if (!validate(response.body)) {
    throw new Error(
      `${method} ${path} ${
        response.status
      } does not match the document: ${ajv.errorsText(
        validate.errors,
      )}\n${JSON.stringify(response.body).slice(0, 500)}`,
    );
  }
}
