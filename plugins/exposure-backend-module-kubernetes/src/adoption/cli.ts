/*
 * npm run adopt -- --cluster NAME [--portal URL] [--confirm TOKEN] [--json]
 *
 * Adoption of a cluster that already runs MetalLB, through the portal's API
 * (POST /api/exposure/clusters/:cluster/adoption): without --confirm a dry run
 * that writes nothing; --confirm with the dry run's token records exactly what
 * it listed. The token of a platform admin comes from PORTICO_TOKEN (a Backstage
 * user token, or an external access token of the backend).
 */
import { parseArgs } from 'node:util';
import type { AdoptionReport } from '@portico/plugin-exposure-common';
import { formatAdoptionReport } from './formatReport';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cluster: { type: 'string' },
      portal: { type: 'string', default: 'http://localhost:7007' },
      confirm: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const token = process.env.PORTICO_TOKEN;
  if (!values.cluster || !token) {
    process.stderr.write(
      'usage: PORTICO_TOKEN=… npm run adopt -- --cluster NAME [--portal URL] [--confirm TOKEN] [--json]\n',
    );
    return 2;
  }
  const url = `${values.portal!.replace(
    /\/$/,
    '',
  )}/api/exposure/clusters/${encodeURIComponent(values.cluster)}/adoption`;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(
      values.confirm
        ? { dryRun: false, token: values.confirm }
        : { dryRun: true },
    ),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await response.json().catch(() => ({}))) as
    | AdoptionReport
    | { error?: { message?: string } };
  if (!response.ok) {
    const message =
      ('error' in body && body.error?.message) || response.statusText;
    process.stderr.write(`adoption refused (${response.status}): ${message}\n`);
    return 1;
  }
  const report = body as AdoptionReport;
  process.stdout.write(
    values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatAdoptionReport(report),
  );
  return 0;
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
