import type {
  PoolExportRow,
  PoolSummary,
} from '@portico/plugin-exposure-common';

/** Risk class of each intent, as firewall and security teams read it. */
const riskClasses: Record<PoolSummary['intent'], string> = {
  'production-external': 'high: reachable from outside, production traffic',
  management: 'high: management plane',
  internal: 'medium: internal networks only',
  temporary: 'low: time-limited',
};

/** One row per address range of every pool. */
export function poolExportRows(pools: PoolSummary[]): PoolExportRow[] {
  return pools.flatMap(pool =>
    pool.addresses.map(range => ({
      pool: pool.name,
      range,
      segment: pool.segment,
      vlan: pool.vlan === undefined ? '' : String(pool.vlan),
      intent: pool.intent,
      riskClass: riskClasses[pool.intent],
      owners: pool.policy.owners.join(' '),
      total: pool.counts.total,
      allocated: pool.counts.allocated,
      reserved: pool.counts.reserved,
      free: pool.counts.free,
    })),
  );
}

const columns: (keyof PoolExportRow)[] = [
  'pool',
  'range',
  'segment',
  'vlan',
  'intent',
  'riskClass',
  'owners',
  'total',
  'allocated',
  'reserved',
  'free',
];

/**
 * RFC 4180 CSV: CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled. Cells starting with = + - @ get a leading quote so
 * spreadsheets do not run them as formulas.
 */
export function toCsv(rows: PoolExportRow[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [columns, ...rows.map(row => columns.map(c => row[c]))]
    .map(line => line.map(v => cell(String(v))).join(','))
    .join('\r\n')
    .concat('\r\n');
}
