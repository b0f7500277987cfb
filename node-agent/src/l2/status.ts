/** Plain-data status of one node's announcer, for the portal and for tests. */
export interface L2Status {
  node: string;
  /** This node takes part in elections (settled, link up, first probes done). */
  ready: boolean;
  linkUp: boolean;
  /** Nodes this agent currently counts as healthy, itself included when ready. */
  healthyNodes: string[];
  vips: L2VipStatus[];
  /** Most recent owner changes this node observed, oldest first. */
  failovers: L2Failover[];
  /** Most recent conflicts, oldest first. */
  conflicts: L2Conflict[];
}

export interface L2VipStatus {
  address: string;
  /** The elected owner, or null when no eligible node is healthy. */
  owner: string | null;
  /** This node answers ARP/NDP for the address now. */
  announcing: boolean;
  /** `probing` before the first claim, `conflict` while a foreign device holds it. */
  state: 'probing' | 'clear' | 'conflict';
  interfaces: string[];
  conflict?: L2Conflict;
}

export interface L2Failover {
  address: string;
  from: string;
  to: string;
  at: string;
}

export interface L2Conflict {
  address: string;
  interface: string;
  /** MAC of the device that answered for or claimed the address. */
  mac: string;
  /** What gave it away, e.g. `arp reply`, `neighbor advertisement`. */
  how: string;
  /** Found while probing before a claim, or while announcing. */
  phase: 'probe' | 'announce';
  at: string;
}
