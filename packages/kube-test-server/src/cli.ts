/* eslint-disable no-console */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeTestServer } from './startKubeTestServer';

/** deploy/crds of the repository the command runs in (npm runs it in the package). */
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

const USAGE = `Usage: npm run kube-test-server -- [options]

Starts the in-memory Kubernetes API server on 127.0.0.1 and writes an admin kubeconfig.

  --port N            port to listen on (default: a free one)
  --kubeconfig PATH   where to write the kubeconfig (default: a temporary file)
  --crds PATH         CRD file or directory to install (default: deploy/crds); repeatable
  --no-crds           install no CRDs
  --namespace NAME    extra namespace to create; repeatable
  --http              plain HTTP instead of HTTPS

The environment can say the same: KUBE_TEST_SERVER_PORT, KUBE_TEST_SERVER_KUBECONFIG.
Through the root script, options need a second separator:
  npm run kube-test-server -- -- --port 6443
`;

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      crds: { type: 'string', multiple: true },
      'no-crds': { type: 'boolean' },
      namespace: { type: 'string', multiple: true },
      http: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const kubeconfig =
    values.kubeconfig ?? process.env.KUBE_TEST_SERVER_KUBECONFIG;
  const server = await startKubeTestServer({
    port: Number(values.port ?? process.env.KUBE_TEST_SERVER_PORT ?? 0),
    kubeconfigPath: kubeconfig ? resolve(kubeconfig) : undefined,
    crds: values['no-crds'] ? [] : values.crds ?? defaultCrds(),
    namespaces: values.namespace,
    tls: !values.http,
  });
  console.log(`kube-test-server listening on ${server.url}`);
  console.log(`kubeconfig: ${server.kubeconfigPath}`);
  console.log(
    `try: KUBECONFIG=${server.kubeconfigPath} kubectl get namespaces`,
  );
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
