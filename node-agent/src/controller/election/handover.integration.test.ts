import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import {
  eventually,
  ipAddressPool,
  KubeHarness,
  loadBalancer,
  startHarness,
} from '../../kube/__testUtils__/kubeHarness';

jest.setTimeout(180_000);

const CLI = resolve(__dirname, '../../cli.ts');

// Two (then three) real controller processes, each as the controller's
// ServiceAccount and configured the way deploy/ configures it (the namespaces and
// the run's own Lease name from the \`portico-agent\` ConfigMap rendered from
// settings.env, which also names the Lease in the leader Role), elect a leader
// through a Lease on a real API server; the leader is killed, then stopped gracefully, and the next one
// must take over within a few seconds and keep assigning addresses.
describe('leader handover between controller processes', () => {
  let h: KubeHarness;
  let lease: CoordinationV1Api;
  let settings: Record<string, string>;
  const children = new Map<string, { child: ChildProcess; log: string[] }>();

  beforeAll(async () => {
    h = await startHarness();
    lease = h.kc.makeApiClient(CoordinationV1Api);
    const configMap = await h.core.readNamespacedConfigMap({
      name: 'portico-agent',
      namespace: h.ns.agent,
    });
    settings = configMap.data ?? {};
    if (settings.PORTICO_LEASE_NAME !== h.leaseName) {
      throw new Error(
        `the rendered ConfigMap names ${settings.PORTICO_LEASE_NAME}`,
      );
    }
    await h.create(
      ipAddressPool(h.ns.metallb, 'handover', ['198.51.100.64/28']),
    );
  });

  afterAll(async () => {
    for (const { child } of children.values()) {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL');
    }
    await h?.cleanup();
  });

  function startController(identity: string) {
    const args = [
      '--import',
      'tsx',
      CLI,
      'controller',
      `--kubeconfig=${h.kubeconfigPathAs('controller')}`,
      `--identity=${identity}`,
      '--mode=audit',
      '--lease-duration=3s',
      '--renew-deadline=2s',
      '--retry-period=250ms',
      '--listen=127.0.0.1:0',
    ];
    if (h.target.outside) {
      args.push(
        `--load-balancer-class=${h.loadBalancerClass}`,
        '--serve-classless=false',
      );
    }
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      // As the Deployment sets them: the ConfigMap, and the namespace it runs in.
      env: { ...process.env, ...settings, POD_NAMESPACE: h.ns.agent },
    });
    const log: string[] = [];
    child.stderr!.on('data', chunk => log.push(String(chunk)));
    children.set(identity, { child, log });
    return child;
  }

  const holder = async () =>
    (
      await lease.readNamespacedLease({
        name: h.leaseName,
        namespace: h.ns.agent,
      })
    ).spec?.holderIdentity;

  const holderBecomes = (want: (id?: string) => boolean, what: string) =>
    eventually(
      async () => {
        const id = await holder();
        return want(id) ? id ?? '' : undefined;
      },
      30_000,
      what,
    ).catch(error => {
      const logs = [...children].map(
        ([id, c]) => `--- ${id}\n${c.log.join('')}`,
      );
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });

  async function assigned(name: string) {
    const svc = loadBalancer(h.ns.apps, name);
    if (h.target.outside) svc.spec!.loadBalancerClass = h.loadBalancerClass;
    await h.create(svc);
    return eventually(
      async () => {
        const s = await h.core.readNamespacedServiceStatus({
          name,
          namespace: h.ns.apps,
        });
        return s.status?.loadBalancer?.ingress?.[0]?.ip;
      },
      15_000,
      `an address for ${name}`,
    );
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>(done => {
      if (child.exitCode !== null || child.signalCode !== null)
        done(child.exitCode);
      else child.once('exit', code => done(code));
    });

  it('the survivor takes over when the leader dies, and after a graceful stop', async () => {
    await Promise.all([startController('ctl-a'), startController('ctl-b')]);
    const first = await holderBecomes(
      id => id === 'ctl-a' || id === 'ctl-b',
      'a leader',
    );
    expect(await assigned('before')).toBe('198.51.100.64');

    // The leader dies without a word: the other waits out the Lease, then leads.
    const killedAt = Date.now();
    children.get(first)!.child.kill('SIGKILL');
    const second = await holderBecomes(
      id => !!id && id !== first,
      'a new leader',
    );
    expect(await assigned('after-kill')).toBe('198.51.100.65');
    // Functional bound, not a benchmark: the Lease lasts 3 s.
    expect(Date.now() - killedAt).toBeLessThan(20_000);

    // A graceful stop releases the Lease: a fresh standby takes over at once.
    await startController('ctl-c');
    await new Promise(r => setTimeout(r, 1_000));
    expect(await holder()).toBe(second);
    children.get(second)!.child.kill('SIGTERM');
    expect(await exited(children.get(second)!.child)).toBe(0);
    await holderBecomes(id => id === 'ctl-c', 'ctl-c leading');
    expect(await assigned('after-stop')).toBe('198.51.100.66');
    // The leader's endpoints: ready, and its metrics say what it did.
    const started = children
      .get('ctl-c')!
      .log.join('')
      .split('\n')
      .find(line => line.includes('portico-agent started'))!;
    const health = JSON.parse(started).health as string;
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${health}/metrics`)).text();
        return /^portico_services_assigned 3$/m.test(text) ? text : undefined;
      },
      10_000,
      'metrics of the new leader',
    );
    expect(metrics).toMatch(/^portico_controller_leader 1$/m);
    expect(metrics).toMatch(
      /^portico_pool_addresses_in_use\{pool="handover"\} 3$/m,
    );
    expect(metrics).toMatch(
      /^portico_pool_addresses_total\{pool="handover"\} 16$/m,
    );

    // Addresses survived both handovers.
    const before = await h.core.readNamespacedServiceStatus({
      name: 'before',
      namespace: h.ns.apps,
    });
    expect(before.status?.loadBalancer?.ingress?.[0]?.ip).toBe('198.51.100.64');
  });
});
