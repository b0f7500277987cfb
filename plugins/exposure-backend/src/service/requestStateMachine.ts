import { ConflictError } from '@backstage/errors';
import type { RequestState } from '@portico/plugin-exposure-common';

/** The request lifecycle (DESIGN §2): every other transition is refused. */
export const requestTransitions: Record<RequestState, RequestState[]> = {
  pending: ['approved', 'rejected'],
  approved: ['active'],
  active: ['released', 'expired'],
  rejected: [],
  released: [],
  expired: [],
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return requestTransitions[from].includes(to);
}

/** Throws a 409 naming both states when the transition is not allowed. */
export function assertTransition(
  id: string,
  from: RequestState,
  to: RequestState,
): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`request ${id} is ${from} and cannot become ${to}`);
  }
}
