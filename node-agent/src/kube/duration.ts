/**
 * Parses a Go `time.Duration` string as MetalLB's CRDs carry them (`90s`, `1m30s`,
 * `500ms`) into milliseconds; undefined when malformed.
 */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 0.000001,
  };
  const trimmed = text.trim();
  if (trimmed === '0') {
    return 0;
  }
  const part = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * units[match[2]];
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    return undefined;
  }
  return total;
}
