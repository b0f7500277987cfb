import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { describe, expect, it } from '@jest/globals';
import { createReadManifestAction } from './readManifest';

describe('exposure:read-manifest', () => {
  const workspace = createMockDirectory({
    content: {
      'service.yaml': 'kind: Service\n',
      'big.yaml': 'x'.repeat(70_000),
    },
  });

  it('outputs the rendered file', async () => {
    const ctx = createMockActionContext({
      input: { path: 'service.yaml' },
      workspacePath: workspace.path,
    });
    await createReadManifestAction().handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('content', 'kind: Service\n');
  });

  it.each([
    [
      '../outside.yaml',
      'Relative path is not allowed to refer to a directory outside its parent',
    ],
    ['missing.yaml', 'is not a file in the workspace'],
    ['big.yaml', 'more than 65536'],
  ])('refuses %s', async (path, message) => {
    const ctx = createMockActionContext({
      input: { path },
      workspacePath: workspace.path,
    });
    await expect(createReadManifestAction().handler(ctx)).rejects.toThrow(
      message,
    );
  });
});
