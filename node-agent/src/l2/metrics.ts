import { Counter, Gauge, Registry } from 'prom-client';

/** The announcer's Prometheus metrics, registered on the registry the caller passes. */
export function createL2Metrics(registry: Registry) {
  const registers = [registry];
  return {
    announcing: new Gauge({
      name: 'portico_l2_announcing',
      help: '1 while this node answers ARP/NDP for the address',
      labelNames: ['address'],
      registers,
    }),
    conflict: new Gauge({
      name: 'portico_l2_conflict',
      help: '1 while a foreign device holds the address and this node refuses to announce it',
      labelNames: ['address'],
      registers,
    }),
    conflicts: new Counter({
      name: 'portico_l2_conflicts_total',
      help: 'Foreign devices found answering for or claiming an address',
      labelNames: ['address', 'interface', 'phase'],
      registers,
    }),
    failovers: new Counter({
      name: 'portico_l2_owner_changes_total',
      help: 'Owner changes of an address from one node to another, as seen by this node',
      labelNames: ['address'],
      registers,
    }),
    takeovers: new Counter({
      name: 'portico_l2_takeovers_total',
      help: 'Times this node started announcing an address',
      labelNames: ['address'],
      registers,
    }),
    healthyNodes: new Gauge({
      name: 'portico_l2_healthy_nodes',
      help: 'Nodes this agent counts as healthy, itself included when ready',
      registers,
    }),
    heartbeats: new Counter({
      name: 'portico_l2_heartbeats_received_total',
      help: 'Heartbeat datagrams received, by result (accepted, refused replay/skew, bad-datagram)',
      labelNames: ['result'],
      registers,
    }),
    answered: new Counter({
      name: 'portico_l2_requests_answered_total',
      help: 'ARP requests and neighbor solicitations answered',
      labelNames: ['family'],
      registers,
    }),
    sendFailures: new Counter({
      name: 'portico_l2_send_failures_total',
      help: 'Frames the interface refused to send (e.g. link down)',
      labelNames: ['interface'],
      registers,
    }),
  };
}

export type L2Metrics = ReturnType<typeof createL2Metrics>;
