import type { Prefix } from '../codec';

/** One route the node wants a peer to hold, with the attributes it carries. */
export interface Route {
  prefix: Prefix;
  /** Sent to iBGP peers only (RFC 4271 §5.1.5); 100 when unset. */
  localPref?: number;
  /** RFC 1997 `high:low` or a well-known name such as `no-export`. */
  communities?: string[];
  /** RFC 8092 `global:local1:local2`. */
  largeCommunities?: string[];
}
