import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The Go module that pins the Kubernetes and etcd releases. */
// A test-only package, run from its sources in the repository, never built.
// eslint-disable-next-line no-restricted-syntax
export const GO_MODULE_DIR = resolve(__dirname, '../go');

const COMMANDS = {
  kubeApiserver: 'k8s.io/kubernetes/cmd/kube-apiserver',
  kubeControllerManager: 'k8s.io/kubernetes/cmd/kube-controller-manager',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  etcd: './cmd/etcd',
} as const;

export type BinaryName = keyof typeof COMMANDS;

export interface TestClusterBinaries {
  dir: string;
  /** The Kubernetes release every binary comes from, e.g. `v1.37.2`. */
  kubernetesVersion: string;
  etcdVersion: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  etcd: string;
}

/** Where the binaries for the pinned releases live; built once per machine. */
export const BIN_DIR_ENV = 'PORTICO_TEST_CLUSTER_BIN';

async function moduleVersion(module: string): Promise<string> {
  const goMod = await readFile(join(GO_MODULE_DIR, 'go.mod'), 'utf8');
  const match = goMod.match(
    new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm'),
  );
  if (!match) throw new Error(`go.mod does not require ${module}`);
  return match[1];
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'cmd/etcd/main.go']) {
    hash.update(await readFile(join(GO_MODULE_DIR, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

async function binDir(kubernetesVersion: string): Promise<string> {
  const fromEnv = process.env[BIN_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(
    cache,
    'portico',
    'test-cluster',
    `${kubernetesVersion}-${await sourceHash()}`,
  );
}

function binariesIn(
  dir: string,
  kubernetesVersion: string,
  etcdVersion: string,
): TestClusterBinaries {
  return {
    dir,
    kubernetesVersion,
    etcdVersion,
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
    etcd: join(dir, 'etcd'),
  };
}

function complete(binaries: TestClusterBinaries): boolean {
  return (Object.keys(COMMANDS) as BinaryName[]).every(name =>
    existsSync(binaries[name]),
  );
}

/** The -X flags that make `--version` and `/version` report the real release. */
function versionLdflags(kubernetesVersion: string): string {
  const [, major, minor] = kubernetesVersion.match(/^v(\d+)\.(\d+)/) ?? [];
  const values = {
    gitVersion: kubernetesVersion,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
  };
  return Object.entries(values)
    .flatMap(([key, value]) =>
      ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].map(
        pkg => `-X ${pkg}.${key}=${value}`,
      ),
    )
    .join(' ');
}

async function runGoBuild(
  outDir: string,
  kubernetesVersion: string,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  let compiled = 0;
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .some(dir => dir && existsSync(join(dir, 'go')));
  // Go's own installer puts it in /usr/local/go, which PATH may lack.
  const go = onPath ? 'go' : '/usr/local/go/bin/go';
  const child = spawn(
    go,
    [
      'build',
      '-v',
      '-ldflags',
      versionLdflags(kubernetesVersion),
      '-o',
      `${outDir}/`,
      ...Object.values(COMMANDS),
    ],
    { cwd: GO_MODULE_DIR, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line)) compiled += 1;
      else errors += `${line}\n`;
    }
  });
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`test cluster: ${compiled} Go packages compiled (${seconds} s)`);
  }, 15_000);
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', error =>
      fail(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(
              'the test cluster is built with Go, and no `go` is on PATH: install Go 1.26 or newer (on Debian, `bash scripts/ensure-go.sh` does)',
            )
          : error,
      ),
    );
    child.on('exit', done);
  }).finally(() => clearInterval(progress));
  if (code !== 0) {
    throw new Error(
      `go build of the test cluster failed (exit ${code}):\n${errors}`,
    );
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`test cluster: built in ${seconds} s (${compiled} packages compiled)`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits for a lock directory, taking it over when the process holding it is gone. */
async function withLock<T>(path: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(
        await readFile(join(path, 'pid'), 'utf8').catch(() => '0'),
      );
      const age = Date.now() - (await stat(path)).mtimeMs;
      if ((holder && !alive(holder)) || (!holder && age > 60_000)) {
        await rm(path, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${path}`);
      await new Promise(r => setTimeout(r, 1000));
    }
  }
  try {
    return await body();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * The test cluster's binaries, built from the pinned Go module the first time on a
 * machine (with progress on `log`) and reused after that. Go's own build cache makes
 * a rebuild after a version change cheaper.
 */
export async function ensureTestClusterBinaries(
  log: (line: string) => void = line => process.stderr.write(`${line}\n`),
): Promise<TestClusterBinaries> {
  const kubernetesVersion = await moduleVersion('k8s.io/kubernetes');
  const etcdVersion = await moduleVersion('go.etcd.io/etcd/server/v3');
  const dir = await binDir(kubernetesVersion);
  const binaries = binariesIn(dir, kubernetesVersion, etcdVersion);
  if (complete(binaries)) return binaries;
  await mkdir(join(dir, '..'), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    if (complete(binaries)) return binaries;
    log(
      `test cluster: building kube-apiserver, kube-controller-manager and kubectl ${kubernetesVersion} and etcd ${etcdVersion} from Go modules into ${dir} (once per machine: about 12 minutes on 2 cores with the modules to download)`,
    );
    const staging = `${dir}.building`;
    await rm(staging, { recursive: true, force: true });
    await runGoBuild(staging, kubernetesVersion, log);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return binaries;
  });
}
