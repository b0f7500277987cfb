import { rankNodes } from './electOwner';
import { chooseOwner, OwnershipInput, preferenceOrder } from './ownership';

const VIP = '192.0.2.50';
const NODES = ['node-a', 'node-b', 'node-c'];
const [FIRST, SECOND, THIRD] = rankNodes(VIP, NODES);

function input(
  claims: Record<string, string[] | undefined>,
  extra: Partial<OwnershipInput> = {},
): OwnershipInput {
  return {
    address: VIP,
    eligible: NODES,
    healthy: new Set(Object.keys(claims)),
    claims: new Map(
      Object.entries(claims).map(([node, owns]) => [
        node,
        owns && new Set(owns),
      ]),
    ),
    self: FIRST,
    selfReadyForMs: 0,
    ...extra,
  };
}

describe('chooseOwner (non-revertive)', () => {
  it('gives an unclaimed VIP to the first in preference', () => {
    expect(chooseOwner(input({ [FIRST]: [], [SECOND]: [], [THIRD]: [] }))).toBe(
      FIRST,
    );
    expect(chooseOwner(input({ [SECOND]: [], [THIRD]: [] }))).toBe(SECOND);
  });

  it('leaves it with its healthy holder when a preferred node returns', () => {
    expect(
      chooseOwner(input({ [FIRST]: [], [SECOND]: [], [THIRD]: [VIP] })),
    ).toBe(THIRD);
  });

  it('moves it when its holder is no longer healthy or eligible', () => {
    expect(chooseOwner(input({ [FIRST]: [], [SECOND]: [] }))).toBe(FIRST);
    expect(
      chooseOwner(
        input(
          { [FIRST]: [], [SECOND]: [], [THIRD]: [VIP] },
          { eligible: [FIRST, SECOND] },
        ),
      ),
    ).toBe(FIRST);
  });

  it('settles two claims (a healed partition, a preemption) on the preferred one', () => {
    expect(
      chooseOwner(input({ [FIRST]: [], [SECOND]: [VIP], [THIRD]: [VIP] })),
    ).toBe(SECOND);
  });

  it('falls back to the preference order while a peer speaks version 1 only', () => {
    expect(
      chooseOwner(input({ [FIRST]: [], [SECOND]: undefined, [THIRD]: [VIP] })),
    ).toBe(FIRST);
  });

  it('lets only the preferred node preempt, once it has been ready long enough', () => {
    const claims = { [FIRST]: [], [SECOND]: [VIP], [THIRD]: [] };
    const preempt = { preemptAfterMs: 1000 };
    expect(
      chooseOwner(input(claims, { ...preempt, selfReadyForMs: 999 })),
    ).toBe(SECOND);
    expect(
      chooseOwner(input(claims, { ...preempt, selfReadyForMs: 1000 })),
    ).toBe(FIRST);
    // Other nodes keep the holder until they hear the preferred node's claim.
    expect(
      chooseOwner(
        input(claims, { ...preempt, self: THIRD, selfReadyForMs: 5000 }),
      ),
    ).toBe(SECOND);
    // Without a delay configured, never.
    expect(chooseOwner(input(claims, { selfReadyForMs: 1e9 }))).toBe(SECOND);
  });

  it('orders by preferredNodeSelectors score first, then by hash', () => {
    expect(preferenceOrder(VIP, NODES, { [THIRD]: 5 })).toEqual([
      THIRD,
      FIRST,
      SECOND,
    ]);
    expect(preferenceOrder(VIP, NODES)).toEqual([FIRST, SECOND, THIRD]);
  });
});
