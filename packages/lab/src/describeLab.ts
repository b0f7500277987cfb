import { Lab } from './Lab';
import { BGP_VIP_CIDR, NODE_ASN, ROUTER_ASN } from './topology';

/** What `npm run lab` prints once everything is up. */
export function describeLab(lab: Lab): string {
  const t = lab.topology;
  const lines = [
    'The Portico lab is up:',
    `  client      ${t.client.address}  (ip netns exec ${t.client.netns} curl http://VIP/)`,
    `  router      ${t.router.clientAddress} / ${t.router.segmentAddress}  BIRD 2, AS ${ROUTER_ASN}` +
      `  (birdc -s ${lab.router.socket} show route)`,
    ...t.nodes.map(
      n =>
        `  ${n.name.padEnd(10)}  ${n.address}  AS ${NODE_ASN}, speaker${
          n.runsWorkload ? ', edge-api' : ''
        }` + `  (ip netns exec ${n.netns} ...)`,
    ),
    `  Kubernetes  kube-apiserver ${lab.cluster.version} on ${lab.cluster.url}` +
      `  (KUBECONFIG=${lab.cluster.kubeconfigPath} ${lab.cluster.kubectlBinary} get svc -A)`,
    `  BGP VIPs    ${BGP_VIP_CIDR}, L2 VIPs on the node segment (see lab/app-config.lab.yaml)`,
    '',
    `  Portal      ${
      lab.portal.appUrl ?? lab.portal.backendUrl
    }  (sign in as alice of team-payments, or pat of platform-team)`,
  ];
  if (lab.missing.length > 0) {
    lines.push('', `  Not running yet: ${lab.missing.join('; ')}`);
  }
  return lines.join('\n');
}
