import { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  interopUnavailable,
  NetnsLab,
  stopChild,
} from '../bgp/testing/netnsLab';
import { ensureTestClusterBinaries, renderDeploy } from '@portico/test-cluster';
import { parse } from 'yaml';
import { eventually } from '../kube/__testUtils__/kubeHarness';
import { BirdRouter } from '../bgp/testing/routers/bird';

jest.setTimeout(240_000);

const CLI = resolve(__dirname, '../cli.ts');
const TEST_CLUSTER = resolve(
  __dirname,
  '../../../packages/test-cluster/src/cli.ts',
);
const CRDS = resolve(__dirname, '../../../deploy/crds');

// `portico-agent speaker` as a process in its own network namespace ("node"),
// reading a real kube-apiserver in that namespace as the speaker's ServiceAccount
// bound by deploy/, peering with BIRD 2 in another
// ("router") over a veth in TEST-NET-1 (the BGP address is TEST-NET-2), and
// answering ARP to a third ("client") for an L2 address in TEST-NET-1.
// Nothing touches the root namespace's network.
const why = interopUnavailable([
  '/usr/sbin/bird',
  '/usr/sbin/birdc',
  '/usr/sbin/arping',
]);
if (why) {
  // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
  it.skip(`speaker wiring against BIRD (${why})`, () => {});
} else {
  describe('speaker wiring: BGP to BIRD 2, ARP to a Linux client', () => {
    const lab = new NetnsLab('sk');
    let dir: string;
    let kubeconfig: string;
    let adminKubeconfig: string;
    let kubectlBinary: string;
    let router: BirdRouter;
    let speaker: ChildProcess | undefined;
    let nodeLan = '';
    let clientLan = '';
    const speakerLog: string[] = [];

    const kubectl = (...args: string[]) =>
      lab.exec(
        'node',
        kubectlBinary,
        [`--kubeconfig=${adminKubeconfig}`, ...args],
        60_000,
      );

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'portico-speaker-'));
      kubeconfig = join(dir, 'speaker.kubeconfig');
      adminKubeconfig = join(dir, 'admin.kubeconfig');
      kubectlBinary = (await ensureTestClusterBinaries()).kubectl;
      await lab.addNamespace('node');
      await lab.addNamespace('router');
      await lab.addNamespace('client');
      await lab.link('node', 'router', ['192.0.2.1/30'], ['192.0.2.2/30']);
      [nodeLan, clientLan] = await lab.link(
        'node',
        'client',
        ['192.0.2.65/26'],
        ['192.0.2.70/26'],
      );
      await writeFile(
        join(dir, 'heartbeat.key'),
        'a-test-key-of-32-bytes-for-hmac!',
      );

      const api = lab.spawn('node', process.execPath, [
        '--import',
        'tsx',
        TEST_CLUSTER,
        'serve',
        `--kubeconfig=${adminKubeconfig}`,
        `--crds=${CRDS}`,
        '--namespace=apps',
      ]);
      const apiLog: string[] = [];
      api.stderr!.on('data', d => apiLog.push(String(d)));
      api.stdout!.on('data', d => apiLog.push(String(d)));
      await eventually(
        async () =>
          existsSync(adminKubeconfig) && apiLog.join('').includes('listening')
            ? true
            : undefined,
        90_000,
        'the API server in the node namespace',
      ).catch(error => {
        throw new Error(`${error}: ${apiLog.join('')}`);
      });
      // The speaker's identity and rights, as deploy/ installs them.
      const deploy = (await renderDeploy()).filter(
        o =>
          !['Deployment', 'DaemonSet', 'CustomResourceDefinition'].includes(
            o.kind,
          ),
      );
      const deployFile = join(dir, 'deploy.yaml');
      await writeFile(
        deployFile,
        deploy.map(o => `---\n${stringify(o)}`).join(''),
      );
      await kubectl('apply', '--server-side', '-f', deployFile);
      const token = (
        await kubectl(
          'create',
          'token',
          'portico-speaker',
          '-n',
          'portico-system',
          '--duration=3h',
        )
      ).trim();
      const speakerConfig = parse(await readFile(adminKubeconfig, 'utf8'));
      speakerConfig.users[0].user = { token };
      await writeFile(kubeconfig, stringify(speakerConfig), { mode: 0o600 });

      router = new BirdRouter(
        lab,
        'router',
        {
          asn: 64513,
          routerId: '192.0.2.2',
          holdTime: 9,
          neighbors: [
            {
              address: '192.0.2.1',
              asn: 64512,
              family: 'ipv4',
              localAddress: '192.0.2.2',
            },
          ],
        },
        dir,
      );
      await router.start();

      const manifests = [
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: 'node-1',
            labels: { 'kubernetes.io/hostname': 'node-1' },
          },
        },
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'bgp-pool', namespace: 'metallb-system' },
          spec: { addresses: ['198.51.100.0/28'] },
        },
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'BGPAdvertisement',
          metadata: { name: 'bgp', namespace: 'metallb-system' },
          spec: { ipAddressPools: ['bgp-pool'], communities: ['64512:300'] },
        },
        {
          apiVersion: 'metallb.io/v1beta2',
          kind: 'BGPPeer',
          metadata: { name: 'router', namespace: 'metallb-system' },
          spec: {
            myASN: 64512,
            peerASN: 64513,
            peerAddress: '192.0.2.2',
            holdTime: '9s',
          },
        },
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'l2-pool', namespace: 'metallb-system' },
          spec: { addresses: ['192.0.2.100-192.0.2.109'] },
        },
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'L2Advertisement',
          metadata: { name: 'l2', namespace: 'metallb-system' },
          spec: { ipAddressPools: ['l2-pool'] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'edge', namespace: 'apps' },
          spec: {
            type: 'LoadBalancer',
            selector: { app: 'edge' },
            ports: [{ port: 443 }],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'apps' },
          spec: {
            type: 'LoadBalancer',
            selector: { app: 'web' },
            ports: [{ port: 80 }],
          },
        },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: 'web-1',
            namespace: 'apps',
            labels: { 'kubernetes.io/service-name': 'web' },
          },
          addressType: 'IPv4',
          endpoints: [
            {
              addresses: ['198.18.0.10'],
              nodeName: 'node-1',
              conditions: { ready: true },
            },
          ],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      ];
      const file = join(dir, 'objects.yaml');
      await writeFile(
        file,
        manifests.map(m => `---\n${stringify(m)}`).join(''),
      );
      await kubectl('apply', '-f', file);
      await kubectl(
        'patch',
        'node',
        'node-1',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        }),
      );
    });

    afterAll(async () => {
      if (speaker) await stopChild(speaker);
      await lab.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const setIngress = (ips: string[], service = 'web') =>
      kubectl(
        '-n',
        'apps',
        'patch',
        'service',
        service,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            loadBalancer: {
              ingress: ips.length ? ips.map(ip => ({ ip })) : null,
            },
          },
        }),
      );

    const routeTo = (prefix: string) =>
      router
        .routes('ipv4')
        .then(routes => routes.find(r => r.prefix === prefix));

    it('announces what the Service status holds, withdraws what it loses, and on SIGTERM', async () => {
      await setIngress(['198.51.100.5']);
      speaker = lab.spawn('node', process.execPath, [
        '--import',
        'tsx',
        CLI,
        'speaker',
        `--kubeconfig=${kubeconfig}`,
        '--node-name=node-1',
        '--bgp-router-id=192.0.2.1',
        '--listen=127.0.0.1:0',
      ]);
      speaker.stderr!.on('data', d => speakerLog.push(String(d)));
      const announced = await eventually(
        () => routeTo('198.51.100.5/32'),
        90_000,
        'BIRD holds 198.51.100.5/32',
      ).catch(error => {
        throw new Error(`${error}\nspeaker log:\n${speakerLog.join('')}`);
      });
      expect(announced.asPath).toEqual([64512]);
      expect(announced.communities).toContain('64512:300');

      // The controller takes the address away: the route goes.
      await setIngress([]);
      await eventually(
        async () => ((await routeTo('198.51.100.5/32')) ? undefined : true),
        30_000,
        '198.51.100.5/32 withdrawn',
      );

      // A new address, then a graceful stop: withdrawn at once, exit code 0.
      await setIngress(['198.51.100.6']);
      await eventually(
        () => routeTo('198.51.100.6/32'),
        30_000,
        'BIRD holds 198.51.100.6/32',
      );
      const exited = new Promise<number | null>(done =>
        speaker!.once('exit', code => done(code)),
      );
      speaker.kill('SIGTERM');
      expect(await exited).toBe(0);
      await eventually(
        async () => ((await routeTo('198.51.100.6/32')) ? undefined : true),
        10_000,
        '198.51.100.6/32 withdrawn on shutdown',
      );
    });

    it('answers ARP for an L2 address on the interface given, and stops on SIGTERM', async () => {
      await setIngress(['192.0.2.100'], 'edge');
      speaker = lab.spawn('node', process.execPath, [
        '--import',
        'tsx',
        CLI,
        'speaker',
        `--kubeconfig=${kubeconfig}`,
        '--node-name=node-1',
        '--bgp-router-id=192.0.2.1',
        `--l2-interfaces=${nodeLan}`,
        `--heartbeat-key-file=${join(dir, 'heartbeat.key')}`,
        '--heartbeat-port=17473',
        '--listen=127.0.0.1:0',
      ]);
      const log: string[] = [];
      speaker.stderr!.on('data', d => log.push(String(d)));
      const mac = (
        await lab.exec('node', 'cat', [`/sys/class/net/${nodeLan}/address`])
      ).trim();
      const arping = () =>
        lab
          .exec(
            'client',
            'arping',
            ['-c', '1', '-w', '2', '-I', clientLan, '192.0.2.100'],
            10_000,
          )
          .catch(error => String(error.stdout ?? ''));
      const reply = await eventually(
        async () => {
          const out = await arping();
          return out.toLowerCase().includes(mac.toLowerCase())
            ? out
            : undefined;
        },
        90_000,
        `an ARP reply for 192.0.2.100 from ${mac}`,
      ).catch(error => {
        throw new Error(`${error}\nspeaker log:\n${log.join('')}`);
      });
      expect(reply.toLowerCase()).toContain(mac.toLowerCase());

      const exited = new Promise<number | null>(done =>
        speaker!.once('exit', code => done(code)),
      );
      speaker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect((await arping()).toLowerCase()).not.toContain(mac.toLowerCase());
    });

    it('refuses an address another device holds, and reports it as an Event on the Service', async () => {
      // A legacy box on the segment already answers for 192.0.2.101.
      await lab.exec('client', 'ip', [
        'addr',
        'add',
        '192.0.2.101/26',
        'dev',
        clientLan,
      ]);
      await setIngress(['192.0.2.101'], 'edge');
      speaker = lab.spawn('node', process.execPath, [
        '--import',
        'tsx',
        CLI,
        'speaker',
        `--kubeconfig=${kubeconfig}`,
        '--node-name=node-1',
        '--bgp-router-id=192.0.2.1',
        `--l2-interfaces=${nodeLan}`,
        `--heartbeat-key-file=${join(dir, 'heartbeat.key')}`,
        '--heartbeat-port=17473',
        '--listen=127.0.0.1:0',
      ]);
      const log: string[] = [];
      speaker.stderr!.on('data', d => log.push(String(d)));
      const clientMac = (
        await lab.exec('client', 'cat', [`/sys/class/net/${clientLan}/address`])
      ).trim();
      const event = await eventually(
        async () => {
          const out = await kubectl(
            '-n',
            'apps',
            'get',
            'events',
            '-o',
            'json',
          );
          return (JSON.parse(out).items as any[]).find(
            e =>
              e.reason === 'AddressConflict' &&
              e.involvedObject.name === 'edge',
          );
        },
        90_000,
        'an AddressConflict Event on Service edge',
      ).catch(error => {
        throw new Error(`${error}\nspeaker log:\n${log.join('')}`);
      });
      expect(event.type).toBe('Warning');
      expect(event.message).toContain('192.0.2.101');
      expect(event.message.toLowerCase()).toContain(clientMac.toLowerCase());
      const exited = new Promise<number | null>(done =>
        speaker!.once('exit', code => done(code)),
      );
      speaker.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });
}
