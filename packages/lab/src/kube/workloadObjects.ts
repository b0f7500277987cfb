import { KubeObject } from '@portico/test-cluster';
import { NODE_ASN, Topology, WORKLOAD_PORT } from '../topology';

/** The application team's Kubernetes namespace in the lab. */
export const APP_NAMESPACE = 'payments';
export const AGENT_NAMESPACE = 'portico-system';
export const METALLB_NAMESPACE = 'metallb-system';

/**
 * The lab cluster's own objects, as kubeadm and the app team's CI would have made
 * them: the three Nodes, and LoadBalancer Services for the edge-api Pods on two of
 * them with their EndpointSlices. Both Services use `externalTrafficPolicy: Local`:
 * only nodes with a ready edge-api endpoint are eligible to announce (there is no
 * kube-proxy forwarding between nodes in the lab).
 */
export function nodeObjects(topology: Topology): KubeObject[] {
  return topology.nodes.map(node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'portico.dev/bgp-asn': String(NODE_ASN),
      },
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.address },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  }));
}

export function loadBalancerService(
  name: string,
  options: { component?: string } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: APP_NAMESPACE,
      labels: {
        app: 'edge-api',
        ...(options.component
          ? { 'backstage.io/kubernetes-id': options.component }
          : {}),
      },
    },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: { app: 'edge-api' },
      ports: [
        {
          name: 'http',
          port: WORKLOAD_PORT,
          targetPort: WORKLOAD_PORT,
          protocol: 'TCP',
        },
      ],
    },
  };
}

/** The EndpointSlice the EndpointSlice controller would write for a Service over the edge-api Pods. */
export function endpointSlice(
  topology: Topology,
  serviceName: string,
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${serviceName}-lab`,
      namespace: APP_NAMESPACE,
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by':
          'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    // hostNetwork Pods: the endpoint address is the node's.
    endpoints: topology.nodes
      .filter(node => node.runsWorkload)
      .map(node => ({
        addresses: [node.address],
        nodeName: node.name,
        conditions: { ready: true, serving: true, terminating: false },
      })),
    ports: [{ name: 'http', port: WORKLOAD_PORT, protocol: 'TCP' }],
  };
}

/**
 * The Services the lab starts with, all over the same edge-api Pods: `edge-api`
 * (for the production-external pool, L2), `edge-api-internal` (the BGP pool) and
 * `edge-api-preview` (a temporary exposure).
 */
export const LAB_SERVICES = [
  'edge-api',
  'edge-api-internal',
  'edge-api-preview',
];

export function seedObjects(topology: Topology): KubeObject[] {
  return [
    ...nodeObjects(topology),
    ...LAB_SERVICES.flatMap(name => [
      loadBalancerService(name, { component: 'edge-api' }),
      endpointSlice(topology, name),
    ]),
  ];
}
