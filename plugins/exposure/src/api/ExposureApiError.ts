/**
 * A failed call to the exposure backend. The message is the backend's own
 * (for instance every guardrail reason of a denied request), so the UI can show
 * it as is.
 */
export class ExposureApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, e.g. 403 for a policy refusal, 409 for an exhausted pool. */
    readonly status: number,
    /** The backend's error name, e.g. `NotAllowedError`. */
    readonly errorName?: string,
  ) {
    super(message);
    this.name = 'ExposureApiError';
  }
}
