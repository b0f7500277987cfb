import { createHash } from 'crypto';

function rank(node: string, address: string): Buffer {
  return createHash('sha256').update(`${node}#${address}`).digest();
}

/**
 * Orders candidate nodes for one address by sha256(node + "#" + address), the
 * ordering MetalLB's layer-2 speaker uses (internal/speaker/layer2_controller.go
 * ShouldAnnounce). Every agent that sees the same healthy set computes the same
 * order with no message exchanged, and different addresses spread across nodes.
 * `address` must be in canonical form (RFC 5952 for IPv6) so all agents hash the
 * same bytes.
 */
export function rankNodes(address: string, nodes: Iterable<string>): string[] {
  return [...new Set(nodes)]
    .map(node => ({ node, hash: rank(node, address) }))
    .sort(
      (a, b) => Buffer.compare(a.hash, b.hash) || (a.node < b.node ? -1 : 1),
    )
    .map(entry => entry.node);
}

/**
 * The owner of `address` among the eligible nodes that are healthy, if any. With
 * `scores` (preferredNodeSelectors), only the healthy nodes of the highest score
 * compete; every node computes the same answer from the same inputs.
 */
export function electOwner(
  address: string,
  eligible: Iterable<string>,
  healthy: ReadonlySet<string>,
  scores?: Readonly<Record<string, number>>,
): string | undefined {
  let candidates = [...eligible].filter(node => healthy.has(node));
  if (scores && candidates.length > 1) {
    const best = Math.max(...candidates.map(n => scores[n] ?? 0));
    candidates = candidates.filter(n => (scores[n] ?? 0) === best);
  }
  return rankNodes(address, candidates)[0];
}
