/* eslint-disable no-console */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTestClusterBinaries } from './binaries';
import { startTestCluster } from './startTestCluster';

/** deploy/crds of the repository the command runs in. */
function defaultCrds(): string[] {
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, 'deploy', 'crds');
    if (existsSync(candidate)) return [candidate];
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

const USAGE = `Usage: npm run test-cluster -- <command> [options]

  build               build kube-apiserver, kube-controller-manager, kubectl and etcd
                      from the pinned Go module if this machine has not yet, and
                      print their versions
  serve [options]     start etcd and kube-apiserver on 127.0.0.1 (RBAC and default
                      admission on), install deploy/crds, write an admin kubeconfig
                      and run until interrupted
    --kubeconfig PATH   where to write the kubeconfig (default: a temporary file)
    --crds PATH         CRD file or directory to install (default: deploy/crds); repeatable
    --no-crds           install no CRDs
    --namespace NAME    namespace to create; repeatable
    --controller-manager  also run kube-controller-manager (namespace deletion, GC)
`;

async function build() {
  const binaries = await ensureTestClusterBinaries();
  const apiserver = execFileSync(binaries.kubeApiserver, ['--version'], {
    encoding: 'utf8',
  }).trim();
  const etcd = execFileSync(binaries.etcd, ['--version'], { encoding: 'utf8' })
    .split('\n')[0]
    .trim();
  console.log(
    `test cluster: kube-apiserver ${apiserver.replace(/^Kubernetes /, '')} (${
      binaries.kubernetesVersion
    } from k8s.io/kubernetes), ${etcd}, binaries in ${binaries.dir}`,
  );
}

async function serve(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      crds: { type: 'string', multiple: true },
      'no-crds': { type: 'boolean' },
      namespace: { type: 'string', multiple: true },
      'controller-manager': { type: 'boolean' },
    },
  });
  const cluster = await startTestCluster({
    kubeconfigPath: values.kubeconfig ? resolve(values.kubeconfig) : undefined,
    crds: values['no-crds'] ? [] : values.crds ?? defaultCrds(),
    namespaces: values.namespace,
    controllerManager: values['controller-manager'],
  });
  console.log(`kube-apiserver ${cluster.version} listening on ${cluster.url}`);
  console.log(`kubeconfig: ${cluster.kubeconfigPath}`);
  console.log(`kubectl:    ${cluster.binaries.kubectl}`);
  const stop = async () => {
    await cluster.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'build') return build();
  if (command === 'serve') return serve(rest);
  console.log(USAGE);
  if (command && command !== 'help' && command !== '--help') process.exit(2);
  return undefined;
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
