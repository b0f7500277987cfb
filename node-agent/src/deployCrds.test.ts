import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(__dirname, '../..');

describe('deploy/crds', () => {
  it("holds MetalLB's CRDs as scripts/sync-metallb-crds.mjs writes them from the fixture", async () => {
    const run = promisify(execFile);
    await expect(
      run(process.execPath, ['scripts/sync-metallb-crds.mjs', '--check'], {
        cwd: root,
      }),
    ).resolves.toBeDefined();
  });
});
