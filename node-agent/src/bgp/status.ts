import { Counter, Gauge, Registry } from 'prom-client';
import type { SessionState } from './fsm/types';

/** What the portal and `/metrics` show for one peer, as plain data. */
export interface PeerStatus {
  name: string;
  peerAddress: string;
  peerASN: number;
  state: SessionState | 'Disabled';
  /** RFC 3339, while Established. */
  establishedSince?: string;
  uptimeSeconds: number;
  peerRouterId?: string;
  /** Prefixes the peer currently holds from us. */
  routesSent: number;
  /** Prefixes we want the peer to hold. */
  routesDesired: number;
  updatesSent: number;
  lastError?: string;
}

/**
 * Registers the speaker's metrics on the caller's registry. Gauges are read
 * from the status at scrape time, so nothing here can drift from it.
 */
export function registerBgpMetrics(
  registry: Registry,
  status: () => PeerStatus[],
): { flaps: Counter<'peer'> } {
  const labels = ['peer', 'peer_address'] as const;
  const each = (
    g: Gauge<(typeof labels)[number]>,
    v: (s: PeerStatus) => number,
  ) => {
    g.reset();
    for (const s of status())
      g.set({ peer: s.name, peer_address: s.peerAddress }, v(s));
  };
  const gauges: Array<Gauge<string>> = [];
  gauges.push(
    new Gauge({
      name: 'portico_bgp_session_up',
      help: '1 while the BGP session with the peer is Established',
      labelNames: labels,
      registers: [registry],
      collect() {
        each(this, s => (s.state === 'Established' ? 1 : 0));
      },
    }),
  );
  gauges.push(
    new Gauge({
      name: 'portico_bgp_session_uptime_seconds',
      help: 'Seconds since the session with the peer became Established',
      labelNames: labels,
      registers: [registry],
      collect() {
        each(this, s => s.uptimeSeconds);
      },
    }),
  );
  gauges.push(
    new Gauge({
      name: 'portico_bgp_announced_prefixes',
      help: 'Prefixes the peer currently holds from this node',
      labelNames: labels,
      registers: [registry],
      collect() {
        each(this, s => s.routesSent);
      },
    }),
  );
  gauges.push(
    new Gauge({
      name: 'portico_bgp_desired_prefixes',
      help: 'Prefixes this node wants the peer to hold',
      labelNames: labels,
      registers: [registry],
      collect() {
        each(this, s => s.routesDesired);
      },
    }),
  );
  gauges.push(
    new Gauge({
      name: 'portico_bgp_updates_sent',
      help: 'UPDATE messages sent to the peer since the speaker started',
      labelNames: labels,
      registers: [registry],
      collect() {
        each(this, s => s.updatesSent);
      },
    }),
  );
  const flaps = new Counter({
    name: 'portico_bgp_session_down_total',
    help: 'Times an Established session with the peer went down',
    labelNames: ['peer'] as const,
    registers: [registry],
  });
  return { flaps };
}
