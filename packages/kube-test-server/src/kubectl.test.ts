import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allowRulesFromFile } from './auth/clusterRoleRules';
import { KubeTestServer, startKubeTestServer } from './startKubeTestServer';

jest.setTimeout(60_000);

const CRDS = resolve(__dirname, '../../../deploy/crds');
const PORTAL_RBAC = resolve(__dirname, '../../../deploy/rbac/portal.yaml');

/** DESIGN.md section 4: the seed's example, which must work as is. */
const SEED = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: prod-external, namespace: metallb-system}
spec: {addresses: [10.40.20.120-10.40.20.139]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: prod-external, namespace: metallb-system}
spec: {ipAddressPools: [prod-external]}
---
apiVersion: v1
kind: Service
metadata:
  name: edge-api
  annotations: {metallb.universe.tf/address-pool: prod-external}
spec:
  type: LoadBalancer
  selector: {app: edge-api}
  ports: [{port: 443, targetPort: 8443}]
`;

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata: {name: metallb-system}
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('with kubectl', () => {
  let server: KubeTestServer;
  let home: string;

  function env(kubeconfig = server.kubeconfigPath) {
    return { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
  }

  function kubectl(
    args: string[],
    options: { input?: string; kubeconfig?: string } = {},
  ): Promise<Result> {
    return new Promise(done => {
      const child = execFile(
        'kubectl',
        args,
        { env: env(options.kubeconfig), timeout: 30_000 },
        (error, stdout, stderr) =>
          done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(options.input ?? '');
    });
  }

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await kubectl(args, { input });
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubectl-home-'));
    server = await startKubeTestServer({
      crds: [CRDS],
      tokens: {
        reader: {
          user: 'reader',
          allow: [
            {
              verbs: ['get', 'list', 'watch'],
              resources: ['*'],
              apiGroups: ['*'],
            },
          ],
        },
      },
    });
  });

  afterEach(async () => {
    await server.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('applies the seed manifests with validation on, and again without changes', async () => {
    await ok(['apply', '-f', '-'], NAMESPACE);
    expect(await ok(['apply', '-f', '-'], SEED)).toBe(
      [
        'ipaddresspool.metallb.io/prod-external created',
        'l2advertisement.metallb.io/prod-external created',
        'service/edge-api created',
        '',
      ].join('\n'),
    );
    expect(await ok(['apply', '-f', '-'], SEED)).toBe(
      [
        'ipaddresspool.metallb.io/prod-external unchanged',
        'l2advertisement.metallb.io/prod-external unchanged',
        'service/edge-api unchanged',
        '',
      ].join('\n'),
    );
    const validated = server.requests().filter(r => r.method === 'POST');
    expect(validated.map(r => r.query.fieldValidation)).toEqual([
      'Strict',
      'Strict',
      'Strict',
      'Strict',
    ]);

    const pools = await ok([
      'get',
      'ipaddresspools.metallb.io',
      '-n',
      'metallb-system',
    ]);
    expect(pools.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'AUTO ASSIGN',
      'AVOID BUGGY IPS',
      'ADDRESSES',
    ]);
    expect(pools.split('\n')[1]).toMatch(
      /^prod-external\s+true\s+false\s+\["10.40.20.120-10.40.20.139"\]$/,
    );

    const service = JSON.parse(
      await ok(['get', 'svc', 'edge-api', '-o', 'json']),
    );
    expect(
      service.metadata.annotations['metallb.universe.tf/address-pool'],
    ).toBe('prod-external');
    expect(service.spec.ports).toEqual([
      { port: 443, targetPort: 8443, protocol: 'TCP', nodePort: 30000 },
    ]);

    const changed = SEED.replace('targetPort: 8443', 'targetPort: 9443');
    expect(await ok(['apply', '-f', '-'], changed)).toContain(
      'service/edge-api configured',
    );
    const patch = server.requests().find(r => r.method === 'PATCH');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    const updated = JSON.parse(
      await ok(['get', 'svc', 'edge-api', '-o', 'json']),
    );
    expect(updated.spec.ports).toEqual([
      { port: 443, targetPort: 9443, protocol: 'TCP', nodePort: 30000 },
    ]);
    expect(updated.spec.clusterIP).toBe(service.spec.clusterIP);
  });

  it('rejects fields the CRD schema does not declare, as strict validation does', async () => {
    await ok(['apply', '-f', '-'], NAMESPACE);
    const result = await kubectl(['apply', '-f', '-'], {
      input: SEED.split('---')[0].replace(
        'spec: {addresses:',
        'spec: {bogus: 1, addresses:',
      ),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown field "spec.bogus"');
  });

  it('streams changes to `kubectl get svc -w`', async () => {
    await ok(['apply', '-f', '-'], SEED.split('---')[2]);
    const watcher: ChildProcess = spawn('kubectl', ['get', 'svc', '-w'], {
      env: env(),
    });
    let output = '';
    watcher.stdout!.on('data', chunk => (output += chunk));
    try {
      const deadline = Date.now() + 15_000;
      const waitFor = async (text: string) => {
        while (!output.includes(text)) {
          if (Date.now() > deadline)
            throw new Error(`no "${text}" in: ${output}`);
          await new Promise(r => setTimeout(r, 50));
        }
      };
      await waitFor('<pending>');
      await ok([
        'patch',
        'svc',
        'edge-api',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}}}',
      ]);
      await waitFor('192.0.2.10');
      const lines = output.trim().split('\n');
      expect(lines[0].split(/\s{2,}/)).toEqual([
        'NAME',
        'TYPE',
        'CLUSTER-IP',
        'EXTERNAL-IP',
        'PORT(S)',
        'AGE',
      ]);
      expect(lines[1]).toMatch(
        /^edge-api\s+LoadBalancer\s+198\.19\.0\.2\s+<pending>\s+443:30000\/TCP/,
      );
      expect(lines[lines.length - 1]).toMatch(
        /^edge-api\s+LoadBalancer\s+198\.19\.0\.2\s+192\.0\.2\.10\s+443:30000\/TCP/,
      );
    } finally {
      watcher.kill('SIGTERM');
    }
  });

  it('patches with the strategic, merge and json types', async () => {
    await ok(['apply', '-f', '-'], SEED.split('---')[2]);
    await ok([
      'patch',
      'svc',
      'edge-api',
      '-p',
      '{"spec":{"ports":[{"port":80,"targetPort":8080}]}}',
    ]);
    await ok([
      'patch',
      'svc',
      'edge-api',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"team":"a"}}}',
    ]);
    await ok([
      'patch',
      'svc',
      'edge-api',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/selector/app","value":"edge"}]',
    ]);
    const service = JSON.parse(
      await ok(['get', 'svc', 'edge-api', '-o', 'json']),
    );
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([
      443, 80,
    ]);
    expect(service.metadata.labels).toEqual({ team: 'a' });
    expect(service.spec.selector).toEqual({ app: 'edge' });
    expect(service.metadata.generation).toBe(3);
  });

  it('installs deploy/crds idempotently, then serves the kinds they define', async () => {
    await server.stop();
    server = await startKubeTestServer();
    const first = await ok(['apply', '-f', CRDS]);
    expect(first.trim().split('\n').sort()).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/bgpadvertisements.metallb.io created',
      'customresourcedefinition.apiextensions.k8s.io/bgppeers.metallb.io created',
      'customresourcedefinition.apiextensions.k8s.io/exposuregrants.portico.dev created',
      'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io created',
      'customresourcedefinition.apiextensions.k8s.io/l2advertisements.metallb.io created',
    ]);
    const again = await ok(['apply', '-f', CRDS]);
    expect(
      again
        .trim()
        .split('\n')
        .every(line => line.endsWith(' unchanged')),
    ).toBe(true);
    const established = await ok([
      'get',
      'crd',
      'exposuregrants.portico.dev',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Established")].status}',
    ]);
    expect(established).toBe('True');

    const grant = `apiVersion: portico.dev/v1alpha1
kind: ExposureGrant
metadata: {name: edge-api}
spec:
  service: {namespace: default, name: edge-api}
  addresses: [192.0.2.10]
  pool: prod-external
  requestId: req-1
  owner: group:default/team-a
`;
    expect(await ok(['apply', '-f', '-'], grant)).toBe(
      'exposuregrant.portico.dev/edge-api created\n',
    );
    const grants = await ok(['get', 'xg']);
    expect(grants).toMatch(
      /^NAME\s+NAMESPACE\s+SERVICE\s+ADDRESSES\s+POOL\s+OWNER\s+EXPIRES\s+AGE\n/,
    );
    expect(grants).toMatch(
      /\nedge-api\s+default\s+edge-api\s+\["192.0.2.10"\]\s+prod-external\s+group:default\/team-a\s+\d+s\n/,
    );
  });

  it('deletes what it applied', async () => {
    await ok(['apply', '-f', '-'], NAMESPACE);
    await ok(['apply', '-f', '-'], SEED);
    expect(await ok(['delete', '-f', '-'], SEED)).toBe(
      [
        'ipaddresspool.metallb.io "prod-external" deleted',
        'l2advertisement.metallb.io "prod-external" deleted',
        'service "edge-api" deleted',
        '',
      ].join('\n'),
    );
    const gone = await kubectl(['get', 'svc', 'edge-api']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr.trim()).toBe(
      'Error from server (NotFound): services "edge-api" not found',
    );
  });

  it('applies the portal RBAC, and refuses a token without rights with 403', async () => {
    expect(await ok(['apply', '-f', PORTAL_RBAC])).toContain(
      'clusterrole.rbac.authorization.k8s.io/portico-portal created',
    );

    const readerConfig = join(home, 'reader.kubeconfig');
    await writeFile(readerConfig, server.kubeconfigFor('reader'));
    const listed = await kubectl(['get', 'svc'], { kubeconfig: readerConfig });
    expect(listed.code).toBe(0);
    const refused = await kubectl(['apply', '-f', '-'], {
      kubeconfig: readerConfig,
      input: SEED.split('---')[2],
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'services is forbidden: User "reader" cannot create resource "services" in API group "" in the namespace "default"',
    );

    await server.stop();
    server = await startKubeTestServer({
      crds: [CRDS],
      tokens: {
        portal: {
          user: 'system:serviceaccount:kube-system:portico-portal',
          allow: await allowRulesFromFile(PORTAL_RBAC, 'portico-portal'),
        },
      },
    });
    const portalConfig = join(home, 'portal.kubeconfig');
    await writeFile(portalConfig, server.kubeconfigFor('portal'));
    const grant =
      '{"apiVersion":"portico.dev/v1alpha1","kind":"ExposureGrant","metadata":{"name":"g"},"spec":{"service":{"namespace":"default","name":"s"},"addresses":["192.0.2.10"],"pool":"p","requestId":"r","owner":"o"}}';
    expect(
      (
        await kubectl(['apply', '-f', '-'], {
          kubeconfig: portalConfig,
          input: grant,
        })
      ).stdout,
    ).toBe('exposuregrant.portico.dev/g created\n');
    const service = await kubectl(['apply', '-f', '-'], {
      kubeconfig: portalConfig,
      input: SEED.split('---')[2],
    });
    expect(service.stderr).toContain(
      'User "system:serviceaccount:kube-system:portico-portal" cannot create resource "services"',
    );
  });

  it('creates namespaces, config maps, secrets and services with the generators, which send protobuf', async () => {
    expect(await ok(['create', 'namespace', 'metallb-system'])).toBe(
      'namespace/metallb-system created\n',
    );
    await ok([
      'create',
      'configmap',
      'cfg',
      '-n',
      'metallb-system',
      '--from-literal=a=b',
    ]);
    await ok([
      'create',
      'secret',
      'generic',
      'bgp',
      '-n',
      'metallb-system',
      '--from-literal=password=s3cret',
    ]);
    expect(
      server
        .requests()
        .filter(r => r.method === 'POST')
        .map(r => r.contentType),
    ).toEqual([
      'application/vnd.kubernetes.protobuf',
      'application/vnd.kubernetes.protobuf',
      'application/vnd.kubernetes.protobuf',
    ]);
    const namespace = JSON.parse(
      await ok(['get', 'ns', 'metallb-system', '-o', 'json']),
    );
    expect(namespace.metadata.generateName).toBeUndefined();
    expect(namespace.status.phase).toBe('Active');
    expect(
      await ok([
        'get',
        'cm',
        'cfg',
        '-n',
        'metallb-system',
        '-o',
        'jsonpath={.data}',
      ]),
    ).toBe('{"a":"b"}');
    const password = await ok([
      'get',
      'secret',
      'bgp',
      '-n',
      'metallb-system',
      '-o',
      'jsonpath={.data.password}',
    ]);
    expect(Buffer.from(password, 'base64').toString()).toBe('s3cret');
    await ok(['create', 'service', 'loadbalancer', 'edge', '--tcp=443:8443']);
    const service = await ok([
      'get',
      'svc',
      'edge',
      '-o',
      'jsonpath={.spec.type} {.spec.ports[0].targetPort} {.spec.selector.app}',
    ]);
    expect(service).toBe('LoadBalancer 8443 edge');
  });
});
