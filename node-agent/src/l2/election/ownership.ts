import { electOwner, rankNodes } from './electOwner';

/**
 * Non-revertive ownership: a VIP stays with its healthy owner when another node
 * returns or joins. Every agent decides the same without a coordinator because the
 * current claims travel in the heartbeats (version 2, heartbeat/message.ts):
 *  - the healthy eligible nodes that claim the VIP keep it; if several claim (a
 *    partition healed, a preemption), the one first in preference wins and the
 *    others release as soon as they hear it;
 *  - nobody claims it (a new VIP, or its owner died or stepped down): the first
 *    in preference (preferredNodeSelectors score, then MetalLB's hash order) takes it;
 *  - with `preemptAfterMs`, the first in preference claims it itself once it has
 *    been ready that long, and the holder releases on hearing its claim: one move,
 *    decided by one node's own clock, so no two agents time it differently.
 * While any healthy peer sends version-1 beats only (an older agent in a rolling
 * upgrade), its claims are unknown and every agent falls back to the older rule,
 * the first in preference, which is what the older agent computes.
 */
export interface OwnershipInput {
  address: string;
  eligible: Iterable<string>;
  healthy: ReadonlySet<string>;
  scores?: Readonly<Record<string, number>>;
  /** Healthy node → the addresses it announces; undefined: not known (version 1). */
  claims: ReadonlyMap<string, ReadonlySet<string> | undefined>;
  self: string;
  /** How long this node has been ready (ms), for preemption. */
  selfReadyForMs: number;
  preemptAfterMs?: number;
}

/** Candidates in preference order: highest score first, then the hash order. */
export function preferenceOrder(
  address: string,
  candidates: string[],
  scores?: Readonly<Record<string, number>>,
): string[] {
  const hashOrder = rankNodes(address, candidates);
  if (!scores) {
    return hashOrder;
  }
  const position = new Map(hashOrder.map((node, i) => [node, i]));
  return [...hashOrder].sort(
    (a, b) =>
      (scores[b] ?? 0) - (scores[a] ?? 0) ||
      position.get(a)! - position.get(b)!,
  );
}

export function chooseOwner(input: OwnershipInput): string | undefined {
  const candidates = [...new Set(input.eligible)].filter(node =>
    input.healthy.has(node),
  );
  if (candidates.some(node => input.claims.get(node) === undefined)) {
    return electOwner(input.address, candidates, input.healthy, input.scores);
  }
  const order = preferenceOrder(input.address, candidates, input.scores);
  const holder = order.find(node => input.claims.get(node)!.has(input.address));
  if (holder === undefined) {
    return order[0];
  }
  const preferred = order[0];
  if (
    preferred === input.self &&
    holder !== input.self &&
    input.preemptAfterMs !== undefined &&
    input.selfReadyForMs >= input.preemptAfterMs
  ) {
    return input.self;
  }
  return holder;
}
