import type { AdoptionReport } from '@portico/plugin-exposure-common';

/** The adoption report as text for a terminal (`npm run adopt`). */
export function formatAdoptionReport(report: AdoptionReport): string {
  const lines: string[] = [];
  const head = report.dryRun
    ? `Adoption of cluster ${report.cluster}: DRY RUN, nothing written`
    : `Adoption of cluster ${report.cluster}: ${
        report.adopted?.length ?? 0
      } adopted`;
  lines.push(head, '');
  lines.push(
    report.dryRun
      ? `Would adopt (${report.adopt.length}):`
      : `Adopted (${report.adopt.length}):`,
  );
  for (const c of report.adopt) {
    lines.push(
      `  ${c.namespace}/${c.serviceName}  ${c.address}  pool ${c.pool}  owner ${
        c.owner
      } (${c.ownerFrom === 'catalog' ? c.entityRef : 'namespace rule'})`,
    );
  }
  lines.push('', `Not adopted (${report.skipped.length}):`);
  for (const s of report.skipped) {
    lines.push(
      `  ${s.namespace}/${s.serviceName}  ${s.address}  [${s.reason}] ${s.message}`,
    );
  }
  if (report.unmatchedPools.length > 0) {
    lines.push('', 'Cluster pools no portal pool covers; to add them:');
    for (const p of report.unmatchedPools) {
      lines.push(`  ${p.name} (${p.addresses.join(', ')}):`);
      lines.push(
        ...p.suggestedConfig
          .trimEnd()
          .split('\n')
          .map(l => `    ${l}`),
      );
    }
  }
  lines.push(
    '',
    `enforce would remove the address of (${report.enforceWouldRemove.length}):`,
  );
  for (const e of report.enforceWouldRemove) {
    lines.push(`  ${e.namespace}/${e.serviceName}  ${e.addresses.join(', ')}`);
  }
  if (report.dryRun && report.adopt.length > 0) {
    lines.push(
      '',
      `To adopt exactly these: npm run adopt -- --cluster ${report.cluster} --confirm ${report.token}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
