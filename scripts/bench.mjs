#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts (or those named as arguments) one
// after another, prints their tables, and writes them with the machine's details to
// bench/results.md. Benchmarks that need PostgreSQL get a throwaway server.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres.mjs';

const benchDir = new URL('../bench/', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter(f => f.endsWith('.bench.ts'))
  .filter(f => !wanted.length || wanted.some(w => f.includes(w)))
  .sort();

const machine = [
  `- date: ${new Date().toISOString()}`,
  `- cpu: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `- kernel: ${release()}, node ${process.version}`,
  '- caveat: shared, noisy machine; compare ratios measured side by side in one run, not absolute figures.',
].join('\n');

let postgres;
let url = process.env.PORTICO_TEST_POSTGRES_URL;
if (!url) {
  try {
    postgres = await startPostgres();
    url = postgres.url;
  } catch (error) {
    console.error(`No PostgreSQL for benchmarks: ${error.message}`);
  }
}

const sections = [`# Portico benchmarks\n\n${machine}\n`];
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const started = Date.now();
  const result = spawnSync('npx', ['tsx', join(benchDir, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, PORTICO_TEST_POSTGRES_URL: url ?? '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${result.status})`);
  }
  sections.push(
    `## ${file} (${seconds} s${result.status ? ', FAILED' : ''})\n\n${
      result.stdout ?? ''
    }`,
  );
}
postgres?.stop();
writeFileSync(join(benchDir, 'results.md'), sections.join('\n'));
console.log(
  `\nWrote bench/results.md (${files.length} benchmarks, ${failed} failed).`,
);
process.exit(failed ? 1 : 0);
