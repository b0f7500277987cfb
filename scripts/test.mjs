#!/usr/bin/env node
// `npm test`: every workspace's jest suite, with a real PostgreSQL server started
// for the run (or the one in PORTICO_TEST_POSTGRES_URL) and the test cluster's
// kube-apiserver, etcd and kubectl built from Go modules when this machine has not
// built them yet. Arguments are passed to `backstage-cli repo test`, e.g.
// `npm test -- plugins/exposure-backend`.
import { spawn } from 'node:child_process';
import { startPostgres } from './postgres.mjs';

const POSTGRES_IDS = ['POSTGRES_15', 'POSTGRES_16', 'POSTGRES_17'];

function buildTestCluster() {
  const child = spawn(
    'npx',
    ['tsx', 'packages/test-cluster/src/cli.ts', 'build'],
    { stdio: 'inherit' },
  );
  return new Promise((resolve, reject) =>
    child.on('exit', code =>
      code === 0
        ? resolve()
        : reject(new Error(`building the test cluster failed (exit ${code})`)),
    ),
  );
}

async function main() {
  await buildTestCluster();
  let postgres;
  let url = process.env.PORTICO_TEST_POSTGRES_URL;
  if (!url) {
    postgres = await startPostgres();
    url = postgres.url;
    console.log(`PostgreSQL for the tests: ${url}`);
  }
  const env = {
    ...process.env,
    CI: process.env.CI ?? 'true',
    PORTICO_TEST_POSTGRES_URL: url,
  };
  for (const id of POSTGRES_IDS) {
    env[`BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`] =
      url;
  }
  const child = spawn(
    'npx',
    [
      'backstage-cli',
      'repo',
      'test',
      '--watchAll=false',
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env },
  );
  const forward = signal => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise(resolve =>
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  postgres?.stop();
  process.exit(code);
}

main().catch(error => {
  console.error(error.message ?? error);
  process.exit(1);
});
