import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(60_000);

const TSX = resolve(__dirname, '../../../node_modules/.bin/tsx');

it('`kube-test-server` writes a kubeconfig that kubectl uses, with the repository CRDs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-test-server-cli-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(
    TSX,
    ['src/cli.ts', '--kubeconfig', kubeconfig, '--namespace', 'metallb-system'],
    {
      cwd: resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>(done =>
    child.on('exit', code => done(code)),
  );
  try {
    let output = '';
    child.stdout!.on('data', chunk => (output += chunk));
    const deadline = Date.now() + 30_000;
    while (!output.includes('kubeconfig: ')) {
      if (Date.now() > deadline)
        throw new Error(`the server did not start: ${output}`);
      await new Promise(r => setTimeout(r, 100));
    }
    expect(output).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain(`kubeconfig: ${kubeconfig}`);

    const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['get', 'crd', '-o', 'name'],
      { env },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/bgpadvertisements.metallb.io',
      'customresourcedefinition.apiextensions.k8s.io/bgppeers.metallb.io',
      'customresourcedefinition.apiextensions.k8s.io/exposuregrants.portico.dev',
      'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io',
      'customresourcedefinition.apiextensions.k8s.io/l2advertisements.metallb.io',
    ]);
    const namespaces = await promisify(execFile)(
      'kubectl',
      ['get', 'ns', 'metallb-system', '-o', 'name'],
      { env },
    );
    expect(namespaces.stdout.trim()).toBe('namespace/metallb-system');
  } finally {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await rm(dir, { recursive: true, force: true });
  }
});
