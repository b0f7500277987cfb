import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AGENT_BIN, EDGE_API_SCRIPT, REPO_ROOT } from './paths';
import { execIn } from './exec';
import { LabCluster } from './kube/LabCluster';
import { buildNetwork, destroyNamespaces } from './network';
import { LoadBalancerAddresses } from './nodes/LoadBalancerAddresses';
import { NamespacedProcess } from './nodes/NamespacedProcess';
import { LAB_USERS, LabUser, PortalClient } from './portal/PortalClient';
import { recordSignIn } from './portal/recordSignIn';
import { PortalProcess } from './portal/PortalProcess';
import { LabSigningKey } from './portal/userTokens';
import { Router } from './router/Router';
import { planTopology, Topology, WORKLOAD_PORT } from './topology';

/** Where the agents serve /healthz and /metrics, inside their namespace. */
const AGENT_LISTEN = '127.0.0.1:7472';

export interface LabOptions {
  runId?: string;
  /** Folder for configs, sockets, keys and SQLite files; removed by down(). */
  dir: string;
  /** Serve the frontend too (the CLI does). */
  withApp?: boolean;
  /** Start the portal (default true); without it the lab is the data plane alone. */
  portal?: boolean;
  log?: (line: string) => void;
}

/**
 * The whole lab: namespaces and links, BIRD, the API server and its relays, the
 * edge-api workload, the agents and the portal. Parts that have not been built yet
 * (the agent binary) are skipped and reported by `missing`.
 */
export class Lab {
  readonly topology: Topology;
  readonly missing: string[] = [];
  router!: Router;
  cluster!: LabCluster;
  portal!: PortalProcess;
  signingKey!: LabSigningKey;
  readonly workloads = new Map<string, NamespacedProcess>();
  readonly speakers = new Map<string, NamespacedProcess>();
  controller?: NamespacedProcess;
  private readonly abort = new AbortController();
  private lbAddresses?: Promise<void>;
  private readonly log: (line: string) => void;

  private constructor(private readonly options: LabOptions) {
    this.topology = planTopology(options.runId);
    this.log = options.log ?? (() => undefined);
  }

  /** Builds everything; on failure, tears down what was built and rethrows. */
  static async up(options: LabOptions): Promise<Lab> {
    const lab = new Lab(options);
    try {
      await lab.build();
    } catch (error) {
      await lab.down();
      throw error;
    }
    return lab;
  }

  get dir(): string {
    return this.options.dir;
  }

  private get heartbeatKeyFile(): string {
    return join(this.dir, 'heartbeat.key');
  }

  private async build(): Promise<void> {
    const t = this.topology;
    await mkdir(this.dir, { recursive: true });
    this.log(`namespaces: ${t.namespaces.join(', ')}`);
    await buildNetwork(t);

    this.router = new Router(t, this.dir);
    await this.router.start();
    this.log(
      `router: BIRD 2 on ${t.router.segmentAddress} (nodes) and ${t.router.clientAddress} (client)`,
    );

    this.cluster = await LabCluster.start(t, this.dir);
    this.log(
      `Kubernetes API: kube-apiserver ${this.cluster.version} on ${this.cluster.url} (in the nodes: https://127.0.0.1:6443)`,
    );
    this.lbAddresses = new LoadBalancerAddresses(t, this.cluster).run(
      this.abort.signal,
    );

    for (const node of t.nodes.filter(n => n.runsWorkload)) {
      const workload = new NamespacedProcess(
        `edge-api@${node.name}`,
        node.netns,
        process.execPath,
        ['--import', 'tsx', EDGE_API_SCRIPT, node.name, String(WORKLOAD_PORT)],
      );
      this.workloads.set(node.name, workload);
      await workload.waitForLine(/listening/, 15_000);
    }
    this.log(
      `edge-api: on ${[...this.workloads.keys()].join(
        ', ',
      )}, port ${WORKLOAD_PORT}`,
    );

    // The shared key of the speakers' L2 heartbeats (a Secret in a real cluster).
    await writeFile(this.heartbeatKeyFile, randomBytes(32).toString('hex'), {
      mode: 0o600,
    });
    if (existsSync(AGENT_BIN)) {
      await this.startController();
      for (const node of t.nodes) this.startSpeaker(node.name);
      this.log(
        `agents: controller, speakers on ${t.nodes
          .map(n => n.name)
          .join(', ')}`,
      );
    } else {
      this.missing.push(`node agent (${AGENT_BIN})`);
    }

    if (this.options.portal !== false) await this.buildPortal();
    for (const agent of [this.controller, ...this.speakers.values()]) {
      if (agent && !agent.running) {
        this.missing.push(`${agent.name} exited: ${agent.output(3)}`);
      }
    }
  }

  private async buildPortal(): Promise<void> {
    this.signingKey = await LabSigningKey.create(this.dir);
    // The ports of the root app-config when they are free, so the URLs look familiar.
    const backendPort = this.options.withApp
      ? await preferPort(7007)
      : await freePort();
    this.portal = new PortalProcess({
      dir: this.dir,
      backendPort,
      appPort: this.options.withApp ? await preferPort(3000) : undefined,
      extraConfig: this.signingKey.config,
      env: {
        PORTICO_LAB_KUBE_URL: this.cluster.url,
        // The portal acts as its own ServiceAccount (deploy/rbac/portal.yaml).
        PORTICO_LAB_KUBE_TOKEN: this.cluster.tokens.portal,
        PORTICO_LAB_KUBE_CA_DATA: Buffer.from(
          this.cluster.certificateAuthority,
        ).toString('base64'),
      },
    });
    await this.startPortal();
    this.log(`portal: ${this.portal.appUrl ?? this.portal.backendUrl}`);
  }

  /** Starts the portal (again) and signs the demo users in. */
  async startPortal(): Promise<void> {
    await this.portal.start();
    for (const user of Object.keys(LAB_USERS) as LabUser[]) {
      recordSignIn(join(this.dir, 'sqlite'), user);
    }
  }

  startSpeaker(nodeName: string): NamespacedProcess {
    const node = this.topology.nodes.find(n => n.name === nodeName)!;
    const speaker = new NamespacedProcess(
      `speaker@${nodeName}`,
      node.netns,
      AGENT_BIN,
      [
        'speaker',
        '--kubeconfig',
        this.cluster.kubeconfigOf('speaker'),
        '--node-name',
        nodeName,
        '--l2-interfaces',
        'eth0',
        '--heartbeat-key-file',
        this.heartbeatKeyFile,
        '--listen',
        AGENT_LISTEN,
      ],
      { cwd: REPO_ROOT },
    );
    this.speakers.set(nodeName, speaker);
    return speaker;
  }

  /**
   * The controller talks only to the API server, so it runs in the root namespace
   * on loopback; it serves its health and metrics on loopback too.
   */
  private async startController(): Promise<void> {
    this.controller = new NamespacedProcess(
      'controller',
      undefined,
      AGENT_BIN,
      [
        'controller',
        '--kubeconfig',
        this.cluster.kubeconfigOf('controller'),
        '--listen',
        `127.0.0.1:${await freePort()}`,
        '--lease-duration',
        '4s',
        '--renew-deadline',
        '3s',
        '--retry-period',
        '1s',
      ],
      { cwd: REPO_ROOT },
    );
  }

  as(user: LabUser): PortalClient {
    return new PortalClient(this.portal.backendUrl, this.signingKey, user);
  }

  /** `curl http://VIP/` from the client namespace: the body, or undefined when nothing answers within 2 s. */
  async fetchFromClient(address: string): Promise<string | undefined> {
    return execIn(
      this.topology.client.netns,
      'curl',
      ['-s', '--max-time', '2', `http://${address}:${WORKLOAD_PORT}/`],
      5_000,
    )
      .then(body => body.trim() || undefined)
      .catch(() => undefined);
  }

  /** Stops and removes everything; safe to call twice and on a half-built lab. */
  async down(): Promise<void> {
    this.abort.abort();
    await this.lbAddresses;
    await this.portal?.stop().catch(() => undefined);
    for (const p of [
      ...this.speakers.values(),
      ...this.workloads.values(),
      this.controller,
    ]) {
      await p?.stop(1000).catch(() => undefined);
    }
    await this.router?.stop().catch(() => undefined);
    await this.cluster?.stop().catch(() => undefined);
    await destroyNamespaces(this.topology.namespaces);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `port` if nothing listens on it, otherwise a free one. */
async function preferPort(port: number): Promise<number> {
  return freePort(port).catch(() => freePort());
}

/** A free TCP port on loopback (`port`, or any when 0). */
export async function freePort(port = 0): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolvePort(bound));
    });
  });
}
