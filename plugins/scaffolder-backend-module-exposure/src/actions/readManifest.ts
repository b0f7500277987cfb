import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readFile, stat } from 'node:fs/promises';

export const READ_MANIFEST_ACTION_ID = 'exposure:read-manifest';

/** A Service manifest is a few hundred bytes; refuse to echo anything big. */
const MAX_BYTES = 64 * 1024;

/**
 * `exposure:read-manifest`: outputs the text of a file rendered into the
 * workspace (by `fetch:template`), so a template without a publish target can
 * show the manifest for the user to copy.
 */
export function createReadManifestAction() {
  return createTemplateAction({
    id: READ_MANIFEST_ACTION_ID,
    description:
      'Outputs the content of a rendered manifest in the workspace, to show it when nothing publishes it.',
    examples: [
      {
        description: 'Show the rendered Service manifest',
        example: [
          'steps:',
          '  - id: manifest',
          '    action: exposure:read-manifest',
          '    input:',
          '      path: service.yaml',
          '',
        ].join('\n'),
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string()
            .min(1)
            .describe('Path of the file, relative to the workspace'),
      },
      output: {
        content: z => z.string().describe('The file content'),
      },
    },
    async handler(ctx) {
      const file = resolveSafeChildPath(ctx.workspacePath, ctx.input.path);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        throw new InputError(
          `path: ${ctx.input.path} is not a file in the workspace`,
        );
      }
      if (info.size > MAX_BYTES) {
        throw new InputError(
          `path: ${ctx.input.path} is ${info.size} bytes, more than ${MAX_BYTES}`,
        );
      }
      ctx.output('content', await readFile(file, 'utf8'));
    },
  });
}
