import {
  Afi,
  AsPathSegmentType,
  CodecContext,
  encodeEndOfRib,
  Family,
  familyOf,
  Origin,
  packAnnouncements,
  packWithdrawals,
  PathAttributes,
  Prefix,
  prefixFamily,
} from '../codec';
import type { BgpSession } from '../fsm/session';
import type { EstablishedInfo, LogFn } from '../fsm/types';
import type { Route } from './types';

export interface AnnouncerOptions {
  localAsn: number;
  peerAsn: number;
  /** Next hops to announce; the session's local address of that family if unset. */
  nextHopV4?: string;
  nextHopV6?: string;
  log?: LogFn;
}

/** The attributes that decide whether a route must be re-sent, in one string. */
function attributeKey(r: Route, ibgp: boolean): string {
  // Most VIPs carry no per-route attributes: skip building a key for each.
  if (
    r.localPref === undefined &&
    !r.communities?.length &&
    !r.largeCommunities?.length
  ) {
    return ibgp ? 'default-ibgp' : 'default';
  }
  return JSON.stringify([
    ibgp ? r.localPref ?? 100 : null,
    [...(r.communities ?? [])].sort(),
    [...(r.largeCommunities ?? [])].sort(),
  ]);
}

/**
 * The Adj-RIB-Out of one peer, kept declaratively (metallb `bgp.Session.Set`):
 * callers hand in the whole desired set, the announcer sends the difference
 * against what the peer was last sent, packing many NLRI per UPDATE. After the
 * session re-establishes, or the peer asks for a ROUTE-REFRESH, it re-sends all.
 */
export class Announcer {
  private desired = new Map<Prefix, Route>();
  /** Prefix → attribute key, as the peer holds it now. */
  private readonly advertised = new Map<Prefix, string>();
  private running?: Promise<void>;
  private dirty = false;
  private readonly ibgp: boolean;
  updatesSent = 0;
  lastError?: string;
  /** Resolved every time the peer's view matches the desired set. */
  private settledWaiters: Array<() => void> = [];

  constructor(
    private readonly session: BgpSession,
    private readonly options: AnnouncerOptions,
  ) {
    this.ibgp = options.localAsn === options.peerAsn;
    session.on('established', () => {
      this.advertised.clear();
      this.schedule();
    });
    session.on('down', () => this.advertised.clear());
    session.on('route-refresh', msg => {
      // RFC 2918 §4: re-advertise the whole Adj-RIB-Out of that family.
      const family: Family = msg.afi === Afi.IPV6 ? 'ipv6' : 'ipv4';
      for (const p of [...this.advertised.keys()]) {
        if (prefixFamily(p) === family) this.advertised.delete(p);
      }
      this.schedule();
    });
  }

  /** Number of prefixes the peer currently holds from us. */
  get routesSent(): number {
    return this.advertised.size;
  }

  setRoutes(routes: readonly Route[]): void {
    const next = new Map<Prefix, Route>();
    for (const r of routes) next.set(r.prefix, r);
    this.desired = next;
    this.schedule();
  }

  /** Resolves once the peer holds exactly the desired set (or it went down). */
  settled(): Promise<void> {
    if (!this.running && !this.dirty) return Promise.resolve();
    return new Promise(resolve => this.settledWaiters.push(resolve));
  }

  /** Withdraws every route and waits until the peer was told. */
  async withdrawAll(): Promise<void> {
    this.setRoutes([]);
    await this.settled();
  }

  private schedule(): void {
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      waiters.forEach(w => w());
    });
  }

  private async loop(): Promise<void> {
    // Let a burst of setRoutes calls collapse into one diff.
    await new Promise(r => setImmediate(r));
    while (this.dirty) {
      this.dirty = false;
      const info = this.session.established;
      if (!info) return;
      const firstSync = this.advertised.size === 0;
      const ok = await this.syncOnce(info);
      if (!ok) return;
      if (firstSync && this.desired.size > 0) {
        // RFC 4724 §2: End-of-RIB after the initial table.
        await this.session.send(
          info.families.map(f =>
            encodeEndOfRib(f === 'ipv4' ? Afi.IPV4 : Afi.IPV6, this.ctx(info)),
          ),
        );
      }
    }
  }

  private ctx(info: EstablishedInfo): CodecContext {
    return { fourOctetAs: info.fourOctetAs };
  }

  private nextHop(family: Family, info: EstablishedInfo): string | undefined {
    const configured =
      family === 'ipv4' ? this.options.nextHopV4 : this.options.nextHopV6;
    if (configured) return configured;
    const local = info.localAddress?.replace(/^::ffff:/, '');
    if (local && familyOf(local) === family) return local;
    return undefined;
  }

  private baseAttributes(route: Route): PathAttributes {
    const a: PathAttributes = {
      origin: Origin.IGP,
      // RFC 4271 §5.1.2: our AS prepended towards eBGP, empty towards iBGP.
      asPath: this.ibgp
        ? []
        : [
            {
              type: AsPathSegmentType.AS_SEQUENCE,
              asns: [this.options.localAsn],
            },
          ],
    };
    if (this.ibgp) a.localPref = route.localPref ?? 100;
    if (route.communities?.length)
      a.communities = [...route.communities].sort();
    if (route.largeCommunities?.length) {
      a.largeCommunities = [...route.largeCommunities].sort();
    }
    return a;
  }

  /** Sends one diff; false if the session went away meanwhile. */
  private async syncOnce(info: EstablishedInfo): Promise<boolean> {
    const ctx = this.ctx(info);
    const messages: Buffer[] = [];
    const withdrawn: Record<Family, Prefix[]> = { ipv4: [], ipv6: [] };
    for (const p of this.advertised.keys()) {
      if (!this.desired.has(p)) withdrawn[prefixFamily(p)].push(p);
    }
    type Group = { route: Route; key: string; prefixes: Prefix[] };
    const groups: Record<Family, Map<string, Group>> = {
      ipv4: new Map(),
      ipv6: new Map(),
    };
    const skipped: string[] = [];
    for (const [p, route] of this.desired) {
      const family = prefixFamily(p);
      const key = attributeKey(route, this.ibgp);
      if (this.advertised.get(p) === key) continue;
      if (!info.families.includes(family)) {
        skipped.push(`${family} not negotiated`);
        continue;
      }
      let g = groups[family].get(key);
      if (!g) groups[family].set(key, (g = { route, key, prefixes: [] }));
      g.prefixes.push(p);
    }
    for (const family of ['ipv4', 'ipv6'] as const) {
      messages.push(...packWithdrawals(family, withdrawn[family], ctx));
    }
    const sent: Group[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      for (const g of groups[family].values()) {
        const nh = this.nextHop(family, info);
        if (!nh) {
          skipped.push(`no ${family} next hop`);
          continue;
        }
        const attrs = this.baseAttributes(g.route);
        if (family === 'ipv4') attrs.nextHop = nh;
        messages.push(
          ...packAnnouncements(family, g.prefixes, attrs, ctx, [nh]),
        );
        sent.push(g);
      }
    }
    this.lastError = skipped.length
      ? `routes not sent: ${[...new Set(skipped)].join(', ')}`
      : undefined;
    if (messages.length === 0) return true;
    const ok = await this.session.send(messages);
    if (!ok) return false;
    this.updatesSent += messages.length;
    for (const f of ['ipv4', 'ipv6'] as const) {
      for (const p of withdrawn[f]) this.advertised.delete(p);
    }
    let announced = 0;
    for (const g of sent) {
      for (const p of g.prefixes) this.advertised.set(p, g.key);
      announced += g.prefixes.length;
    }
    this.options.log?.('debug', 'routes synced', {
      withdrawn: withdrawn.ipv4.length + withdrawn.ipv6.length,
      announced,
      updates: messages.length,
    });
    return true;
  }
}
