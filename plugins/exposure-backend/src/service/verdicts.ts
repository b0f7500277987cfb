import { ConflictError, NotAllowedError } from '@backstage/errors';
import type {
  ExposureRequest,
  GuardrailResult,
} from '@portico/plugin-exposure-common';
import { duplicateMessage } from './openRequests';

/**
 * A denied request carries every reason: 409 when the only one is an
 * exhausted pool, 403 otherwise.
 */
export function assertNotDenied(verdict: GuardrailResult): void {
  if (verdict.verdict !== 'deny') return;
  const messages = verdict.reasons.map(r => r.message).join('; ');
  if (verdict.reasons.every(r => r.code === 'pool-exhausted')) {
    throw new ConflictError(messages);
  }
  throw new NotAllowedError(`request denied: ${messages}`);
}

/** The dry run's verdict with a duplicate of an open request first. */
export function withDuplicateReason(
  verdict: GuardrailResult,
  duplicateOf: ExposureRequest | undefined,
): GuardrailResult {
  if (!duplicateOf) return verdict;
  return {
    verdict: 'deny',
    reasons: [
      {
        code: 'duplicate-request',
        verdict: 'deny',
        message: duplicateMessage(duplicateOf),
      },
      ...verdict.reasons,
    ],
  };
}
