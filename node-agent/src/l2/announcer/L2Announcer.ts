import { EventEmitter } from 'events';
import { performance } from 'perf_hooks';
import { Registry } from 'prom-client';
import { decodeFrame } from '../codec/frame';
import { parseAddress } from '../codec/ip';
import {
  L2Settings,
  L2SettingsInput,
  l2SettingsSchema,
  L2Vip,
} from '../config';
import { chooseOwner } from '../election/ownership';
import { HeartbeatService } from '../heartbeat/heartbeatService';
import { createL2Metrics, L2Metrics } from '../metrics';
import { L2Conflict, L2Failover, L2Status } from '../status';
import { KernelAddresses } from '../wire/kernelAddresses';
import { L2Link, L2LinkFactory } from '../wire/link';
import { isLinkUp } from '../wire/linkState';
import { openPacketLink } from '../wire/packetLink';
import { decideFrame } from './frameDecision';
import { VipMachine, VipRecord } from './vipMachine';

export interface L2Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface L2AnnouncerOptions {
  settings: L2SettingsInput;
  /** prom-client registry the metrics are registered on. */
  registry: Registry;
  logger?: L2Logger;
  /** Wire access per interface; defaults to AF_PACKET sockets (wire/packetLink.ts). */
  openLink?: L2LinkFactory;
  /** Link state per interface; defaults to sysfs. */
  linkUp?: (interfaceName: string) => boolean;
}

const HISTORY = 100;
const noopLogger: L2Logger = { info: () => {}, warn: () => {} };

/**
 * Announces VIPs on layer 2 for one node: elects an owner per VIP among the healthy
 * eligible nodes (heartbeats give health), probes each VIP before its first claim
 * (RFC 5227), answers ARP/NDP while this node owns it, sends gratuitous ARP /
 * unsolicited NA on takeover, refuses addresses a foreign device holds, and releases
 * everything at once on stop().
 */
export class L2Announcer extends EventEmitter {
  private readonly settings: L2Settings;
  private readonly logger: L2Logger;
  private readonly metrics: L2Metrics;
  private readonly lifetime = new AbortController();
  private readonly links = new Map<string, L2Link>();
  private readonly vips = new Map<string, VipRecord>();
  private readonly heartbeat: HeartbeatService;
  private readonly machine: VipMachine;
  private readonly kernel: KernelAddresses | undefined;
  private readonly linkUpOf: (interfaceName: string) => boolean;
  private linkUp = false;
  /** One detection window has passed since start or the last link-up. */
  private settled = false;
  private settleGeneration = 0;
  /** Probing may start: the first settle is over, peers' MACs are known. */
  private probingAllowed = false;
  private initialProbesDone = false;
  private healthyKey = '';
  /** Nodes Kubernetes reports Ready (Node condition / Lease); undefined: not known. */
  private kubernetesReady: ReadonlySet<string> | undefined;
  private readonly failovers: L2Failover[] = [];
  private readonly conflicts: L2Conflict[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  /** When this node last became ready (performance.now()), for preemption. */
  private readySince: number | undefined;
  private preemptTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: L2AnnouncerOptions) {
    super();
    this.settings = l2SettingsSchema.parse(options.settings);
    this.logger = options.logger ?? noopLogger;
    this.metrics = createL2Metrics(options.registry);
    this.linkUpOf = options.linkUp ?? isLinkUp;
    this.kernel = this.settings.localAddressInterface
      ? new KernelAddresses(this.settings.localAddressInterface)
      : undefined;
    this.heartbeat = new HeartbeatService(
      this.settings.nodeName,
      this.settings.heartbeat,
      () => ({
        ready: this.isReady(),
        macs: [...this.links.values()].map(l => l.mac),
        owns: this.held(),
      }),
      this.lifetime.signal,
    );
    this.machine = new VipMachine({
      settings: this.settings,
      metrics: this.metrics,
      logger: this.logger,
      kernel: this.kernel,
      lifetime: this.lifetime,
      linksOf: record => this.linksOf(record),
      send: (link, frame) => this.send(link, frame),
      isPeerMac: mac => this.heartbeat.isPeerMac(mac),
      reconcile: () => this.reconcile(),
      conflicted: conflict => {
        this.pushHistory(this.conflicts, conflict);
        this.emit('conflict', conflict);
      },
    });
  }

  static async start(options: L2AnnouncerOptions): Promise<L2Announcer> {
    const announcer = new L2Announcer(options);
    try {
      await announcer.open();
    } catch (error) {
      await announcer.stop();
      throw error;
    }
    return announcer;
  }

  private get detectionMs(): number {
    return (
      this.settings.heartbeat.intervalMs * this.settings.heartbeat.missedBeats
    );
  }

  private async open(): Promise<void> {
    const openLink =
      this.options.openLink ??
      ((name: string) =>
        openPacketLink(name, {
          onEvent: (message, fields) => this.logger.info(message, fields),
        }));
    for (const name of this.settings.interfaces) {
      const link = openLink(name);
      link.onFrame(frame => this.onFrame(link, frame));
      this.links.set(name, link);
    }
    await this.kernel?.prepare(this.settings.interfaces);
    this.heartbeat.on('membership', () => this.reconcile());
    this.heartbeat.on('claims', () => this.reconcile());
    this.heartbeat.on('beat', result =>
      this.metrics.heartbeats.inc({ result }),
    );
    await this.heartbeat.start();
    this.pollLink();
  }

  /** Replaces the set of VIPs to announce. Invalid addresses are skipped and logged. */
  setDesired(vips: L2Vip[]): void {
    if (this.stopped) {
      return;
    }
    const wanted = new Map<string, L2Vip & { family: 4 | 6 }>();
    for (const vip of vips) {
      const parsed = parseAddress(vip.address);
      if (!parsed) {
        this.logger.warn('skipping invalid L2 address', {
          address: vip.address,
        });
        continue;
      }
      wanted.set(parsed.address, {
        ...vip,
        address: parsed.address,
        family: parsed.family,
      });
    }
    for (const [address, record] of this.vips) {
      if (!wanted.has(address)) {
        this.machine.release(record);
        record.lifetime.abort();
        this.vips.delete(address);
        this.metrics.conflict.remove({ address });
        this.metrics.announcing.remove({ address });
      }
    }
    for (const vip of wanted.values()) {
      const interfaces = (
        vip.interfaces?.length ? vip.interfaces : this.settings.interfaces
      ).filter(name => this.links.has(name));
      if (interfaces.length === 0) {
        // The speaker wiring should only list nodes that have one of the VIP's
        // interfaces; if it did not, this node never claims rather than announce
        // nowhere.
        this.logger.warn(
          'no configured interface for this address on this node',
          {
            address: vip.address,
            interfaces: vip.interfaces,
          },
        );
      }
      const existing = this.vips.get(vip.address);
      if (existing) {
        existing.nodes = vip.nodes;
        existing.nodeScores = vip.nodeScores;
        existing.interfaces = interfaces;
        continue;
      }
      const record: VipRecord = {
        address: vip.address,
        family: vip.family,
        nodes: vip.nodes,
        nodeScores: vip.nodeScores,
        interfaces,
        state: 'probing',
        probing: false,
        suspects: [],
        announcing: false,
        owner: undefined,
        lifetime: new AbortController(),
        firstProbe: undefined,
        reassertedAt: -Infinity,
      };
      this.vips.set(vip.address, record);
      if (this.probingAllowed) {
        record.firstProbe = this.machine.probeUntilClear(record);
      }
    }
    this.reconcile();
  }

  /**
   * The slower backstop: nodes Kubernetes considers Ready (from the Node objects and
   * their Leases, fed by the watch layer). A node missing from this set is not
   * elected even while its agent still beats (e.g. a node being drained or whose
   * kubelet is gone). Pass undefined when the API server is unreachable: the
   * heartbeats alone then decide, so the data plane never depends on the API.
   */
  setKubernetesReadyNodes(nodes: Iterable<string> | undefined): void {
    this.kubernetesReady = nodes ? new Set(nodes) : undefined;
    this.reconcile();
  }

  // ---- readiness and link state ----

  private isReady(): boolean {
    return (
      !this.stopped && this.linkUp && this.settled && this.initialProbesDone
    );
  }

  private pollLink(): void {
    if (this.stopped) {
      return;
    }
    const up = this.settings.interfaces.every(name => this.linkUpOf(name));
    if (up !== this.linkUp) {
      this.linkUp = up;
      this.logger.info(up ? 'link up' : 'link down, stepping down', {
        interfaces: this.settings.interfaces,
      });
      if (up) {
        this.settle();
      } else {
        clearTimeout(this.settleTimer);
        this.settled = false;
        this.reconcile();
        void this.heartbeat.beat(false);
      }
    }
    this.pollTimer = setTimeout(
      () => this.pollLink(),
      this.settings.heartbeat.intervalMs,
    );
  }

  /**
   * After start or link-up, listen for one detection window before owning anything,
   * so a node that just (re)joined learns who is alive instead of claiming every VIP.
   * The first probes run after that window too: by then the heartbeats have told us
   * the other agents' MACs, so the current owner answering our probe is not taken
   * for a foreign device.
   */
  private settle(): void {
    this.settled = false;
    const generation = ++this.settleGeneration;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(async () => {
      if (!this.probingAllowed) {
        this.probingAllowed = true;
        for (const record of this.vips.values()) {
          record.firstProbe ??= this.machine.probeUntilClear(record);
        }
        await Promise.all([...this.vips.values()].map(v => v.firstProbe));
        this.initialProbesDone = true;
      }
      if (
        !this.stopped &&
        this.linkUp &&
        generation === this.settleGeneration
      ) {
        this.settled = true;
        this.reconcile();
        // Tell peers now rather than at the next interval.
        void this.heartbeat.beat(false);
      }
    }, this.detectionMs);
  }

  // ---- election ----

  private healthyNodes(): Set<string> {
    const healthy = this.heartbeat.healthyPeers();
    if (this.isReady()) {
      healthy.add(this.settings.nodeName);
    }
    const kubernetesReady = this.kubernetesReady;
    return kubernetesReady
      ? new Set([...healthy].filter(node => kubernetesReady.has(node)))
      : healthy;
  }

  /**
   * The addresses this node holds, as its beats tell peers: those it was last
   * elected for, whether it announces them or keeps silent during a conflict, so a
   * foreign claim or its re-check does not hand the address to a peer that did not
   * see it. A node that is not ready is not counted by its peers, whatever it holds.
   */
  private held(): string[] {
    return [...this.vips.values()]
      .filter(record => record.owner === this.settings.nodeName)
      .map(record => record.address);
  }

  /** Ready for how long (ms); arms a re-election for when preemption becomes due. */
  private readyForMs(): number {
    const now = performance.now();
    if (!this.isReady()) {
      this.readySince = undefined;
      clearTimeout(this.preemptTimer);
      this.preemptTimer = undefined;
      return 0;
    }
    this.readySince ??= now;
    const readyFor = now - this.readySince;
    const preemptAfterMs = this.settings.preemptAfterMs;
    if (
      preemptAfterMs !== undefined &&
      readyFor < preemptAfterMs &&
      this.preemptTimer === undefined
    ) {
      // Timers run on the event loop's cached clock and may fire a little before
      // performance.now() says the delay is over: re-arm until it really is.
      this.preemptTimer = setTimeout(() => {
        this.preemptTimer = undefined;
        this.reconcile();
      }, Math.ceil(preemptAfterMs - readyFor) + 1);
    }
    return readyFor;
  }

  private reconcile(): void {
    if (this.stopped) {
      return;
    }
    const healthy = this.healthyNodes();
    const claims = this.heartbeat.peerClaims();
    claims.set(this.settings.nodeName, new Set(this.held()));
    const selfReadyForMs = this.readyForMs();
    const heldBefore = this.held().join(',');
    const key = [...healthy].sort().join(',');
    const membershipChanged = key !== this.healthyKey;
    this.healthyKey = key;
    this.metrics.healthyNodes.set(healthy.size);
    const self = this.settings.nodeName;
    for (const record of this.vips.values()) {
      const owner = chooseOwner({
        address: record.address,
        eligible: record.nodes,
        healthy,
        scores: record.nodeScores,
        claims,
        self,
        selfReadyForMs,
        preemptAfterMs: this.settings.preemptAfterMs,
      });
      if (owner !== record.owner) {
        if (record.owner && owner) {
          this.pushHistory(this.failovers, {
            address: record.address,
            from: record.owner,
            to: owner,
            at: new Date().toISOString(),
          });
          this.metrics.failovers.inc({ address: record.address });
        }
        record.owner = owner;
      }
      const shouldAnnounce =
        owner === self &&
        record.state === 'clear' &&
        record.interfaces.length > 0 &&
        this.isReady();
      if (shouldAnnounce && !record.announcing) {
        void this.machine.claim(record);
      } else if (!shouldAnnounce && record.announcing) {
        this.machine.release(record);
      } else if (shouldAnnounce && membershipChanged) {
        // A node (re)joined or left: after a partition heals, both sides may have
        // announced; the owner everyone now agrees on repeats its announcement so
        // every cache points back at it.
        void this.machine.announceBurst(record);
      }
    }
    if (this.held().join(',') !== heldBefore) {
      // Peers decide from our claims: tell them now, not at the next interval.
      void this.heartbeat.beat(false);
    }
    this.emit('change', this.status());
  }

  // ---- the wire ----

  private linksOf(record: VipRecord): L2Link[] {
    return record.interfaces.flatMap(name => this.links.get(name) ?? []);
  }

  private send(link: L2Link, frame: Buffer): void {
    if (!link.send(frame)) {
      this.metrics.sendFailures.inc({ interface: link.interfaceName });
    }
  }

  private onFrame(link: L2Link, bytes: Buffer): void {
    if (this.stopped) {
      return;
    }
    const frame = decodeFrame(bytes);
    if (!frame.ok) {
      return;
    }
    const onLink = (address: string) => {
      const record = this.vips.get(address);
      return record?.interfaces.includes(link.interfaceName)
        ? record
        : undefined;
    };
    const decision = decideFrame(frame.value, {
      mac: link.mac,
      isAnnouncing: address => onLink(address)?.announcing === true,
      isWatching: address => {
        const record = onLink(address);
        return record !== undefined && (record.probing || record.announcing);
      },
      isPeerMac: mac => this.heartbeat.isPeerMac(mac),
    });
    if (decision.action === 'answer') {
      this.send(link, decision.reply);
      this.metrics.answered.inc({
        family: frame.value.kind === 'arp' ? 'ipv4' : 'ipv6',
      });
    } else if (decision.action === 'peer-claim') {
      const record = onLink(decision.address);
      if (record) {
        void this.machine.reassert(record, decision.mac);
      }
    } else if (decision.action === 'foreign-claim') {
      const record = onLink(decision.address);
      if (record?.probing) {
        record.suspects.push({ link, mac: decision.mac, how: decision.how });
      } else if (record) {
        this.machine.onConflict(record, link, decision);
      }
    }
  }

  // ---- status and shutdown ----

  private pushHistory<T>(list: T[], entry: T): void {
    list.push(entry);
    if (list.length > HISTORY) {
      list.shift();
    }
  }

  status(): L2Status {
    return {
      node: this.settings.nodeName,
      ready: this.isReady(),
      linkUp: this.linkUp,
      healthyNodes: [...this.healthyNodes()].sort(),
      vips: [...this.vips.values()].map(record => ({
        address: record.address,
        owner: record.owner ?? null,
        announcing: record.announcing,
        state: record.state,
        interfaces: record.interfaces,
        ...(record.conflict ? { conflict: record.conflict } : {}),
      })),
      failovers: [...this.failovers],
      conflicts: [...this.conflicts],
    };
  }

  /** Stops answering at once, tells peers (they take over without waiting), closes. */
  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const releases: Array<Promise<void>> = [];
    for (const record of this.vips.values()) {
      if (record.announcing) {
        record.announcing = false;
        this.metrics.announcing.set({ address: record.address }, 0);
        if (this.kernel) {
          releases.push(this.kernel.remove(record.address).catch(() => {}));
        }
      }
    }
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.preemptTimer);
    await this.heartbeat.stop();
    this.lifetime.abort();
    for (const record of this.vips.values()) {
      record.lifetime.abort();
    }
    await Promise.all(releases);
    for (const link of this.links.values()) {
      link.close();
    }
    this.links.clear();
  }
}
