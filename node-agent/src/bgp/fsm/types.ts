import type { Duplex } from 'node:stream';
import type {
  Family,
  OpenMessage,
  RouteRefreshMessage,
  UpdateMessage,
} from '../codec';

/** RFC 4271 §8.2.2 states. */
export type SessionState =
  | 'Idle'
  | 'Connect'
  | 'Active'
  | 'OpenSent'
  | 'OpenConfirm'
  | 'Established';

export type LogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface SessionOptions {
  localAsn: number;
  peerAsn: number;
  /** Our BGP identifier, dotted quad. */
  routerId: string;
  peerAddress: string;
  /** Proposed hold time in seconds: 0 or at least 3 (RFC 4271 §4.2). */
  holdTime?: number;
  /** Seconds between KEEPALIVEs; a third of the negotiated hold time if unset. */
  keepaliveTime?: number;
  /** Never dial: wait for the peer to connect (handed in by acceptIncoming). */
  passive?: boolean;
  /** Opens the TCP connection; injected so tests can hand in any Duplex. */
  dial?: (signal: AbortSignal) => Promise<Duplex>;
  /** Address families offered with the multiprotocol capability (RFC 4760). */
  families?: Family[];
  /** Reconnect backoff bounds in ms. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a dial may take before it counts as failed. */
  connectTimeoutMs?: number;
  log?: LogFn;
}

export interface EstablishedInfo {
  peerOpen: OpenMessage;
  holdTime: number;
  fourOctetAs: boolean;
  /** Families both sides offered; IPv4 unicast when neither offered any (RFC 4760 §1). */
  families: Family[];
  localAddress?: string;
}

export interface SessionEvents {
  state: [state: SessionState, previous: SessionState];
  established: [info: EstablishedInfo];
  down: [reason: string];
  update: [message: UpdateMessage];
  'route-refresh': [message: RouteRefreshMessage];
}
