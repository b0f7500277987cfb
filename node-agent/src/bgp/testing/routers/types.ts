/** A route as a router reports it, reduced to what the tests compare. */
export interface RouterRoute {
  prefix: string;
  nextHop?: string;
  asPath: number[];
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
}

/** One neighbour the router is configured with. */
export interface RouterNeighbor {
  address: string;
  asn: number;
  family: 'ipv4' | 'ipv6';
  /** The router's own address on that session. */
  localAddress: string;
}

export interface RouterConfig {
  asn: number;
  routerId: string;
  holdTime: number;
  neighbors: RouterNeighbor[];
}

export interface RouterHarness {
  readonly name: string;
  start(): Promise<void>;
  /** SIGTERM and wait; `start()` again to restart. */
  stop(): Promise<void>;
  routes(family: 'ipv4' | 'ipv6'): Promise<RouterRoute[]>;
  /** Names (addresses) of neighbours that are Established. */
  established(): Promise<string[]>;
}

const WELL_KNOWN: Record<string, string> = {
  'no-export': '65535:65281',
  noExport: '65535:65281',
  'no-advertise': '65535:65282',
  noAdvertise: '65535:65282',
};

/** Routers print well-known communities by name; compare them as numbers. */
export function normalizeCommunity(text: string): string {
  return WELL_KNOWN[text] ?? text;
}
