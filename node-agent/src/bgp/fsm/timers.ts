/** Resolves after `ms`, or at once (false) when the signal aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Calls `fn` every `ms` until the signal aborts. */
export function every(ms: number, signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) return;
  const t = setInterval(fn, ms);
  signal.addEventListener('abort', () => clearInterval(t), { once: true });
}

/**
 * Exponential reconnect backoff with jitter (RFC 4271 §8.1.1 leaves the
 * ConnectRetryTimer value to the implementation; §10 suggests 120 s, which is
 * far too slow for a load balancer, so we start at one second).
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 30000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    // ±20% so that many agents restarted together do not dial in lockstep.
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
