import { execFile } from 'child_process';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
// eslint-disable-next-line no-restricted-syntax
const BIN = join(__dirname, '..', 'bin', 'portico-agent');

describe('bin/portico-agent', () => {
  it('runs from a working directory outside the repository', async () => {
    // From source (tsx) or from dist, whichever this checkout has.
    const { stdout } = await run(process.execPath, [BIN, '--help'], {
      cwd: tmpdir(),
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^usage: portico-agent <controller\|speaker>/);
  });
});
