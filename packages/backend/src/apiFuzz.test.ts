/*
 * Fuzzes every route of the exposure API with schemathesis (from PyPI), against
 * the real backend on SQLite and on PostgreSQL, signed in as a requester and as
 * a platform admin: no answer may be a 5xx, and every answer must have a status
 * and a body that openapi.yaml declares.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  BackendDatabase,
  RealBackend,
  demoUserToken,
  startRealBackend,
} from './__testUtils__/realBackend';
import {
  ensureSchemathesis,
  hasPython,
  runSchemathesis,
} from './__testUtils__/schemathesis';

const SPEC = resolve(
  __dirname,
  '../../../plugins/exposure-backend/openapi.yaml',
);
const CHECKS = [
  'not_a_server_error',
  'response_schema_conformance',
  'status_code_conformance',
];
/** Test cases per operation and phase; with both users on both databases the file runs in about 3 minutes on 2 cores. */
const MAX_EXAMPLES = Number(process.env.PORTICO_FUZZ_EXAMPLES ?? 20);
const SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 16);

const operationCount = Object.values(
  parse(readFileSync(SPEC, 'utf8')).paths as Record<string, object>,
).reduce(
  (n, item) =>
    n + Object.keys(item).filter(k => ['get', 'post'].includes(k)).length,
  0,
);

const postgresUrl = process.env.PORTICO_TEST_POSTGRES_URL;
const databases: [string, BackendDatabase | undefined][] = [
  ['SQLite', { client: 'better-sqlite3' }],
  ['PostgreSQL', postgresUrl ? { client: 'pg', url: postgresUrl } : undefined],
];

const python = hasPython();
if (!python) {
  // eslint-disable-next-line no-console
  console.warn('API fuzz skipped: python3 is not on the PATH');
}
const describeFuzz = python ? describe : describe.skip;

describeFuzz('the exposure API under schemathesis', () => {
  let schemathesis: string;
  beforeAll(() => {
    schemathesis = ensureSchemathesis();
  }, 360_000);

  describe.each(databases)('on %s', (name, database) => {
    let backend: RealBackend | undefined;
    let workDir: string;

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'portico-fuzz-'));
      if (database) backend = await startRealBackend(database);
    }, 180_000);

    afterAll(async () => {
      await backend?.stop();
      rmSync(workDir, { recursive: true, force: true });
    }, 30_000);

    it.each(['alice', 'pat'])(
      'as %s: no 5xx, and every status and body as openapi.yaml declares',
      async user => {
        if (!backend) {
          // eslint-disable-next-line no-console
          console.warn(
            `API fuzz on ${name} skipped: PORTICO_TEST_POSTGRES_URL is not set (npm test sets it)`,
          );
          return;
        }
        const token = await demoUserToken(backend.url, user);
        // A token the API refused would leave every route at 401 and test nothing.
        const probe = await fetch(`${backend.url}/api/exposure/pools`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(probe.status).toBe(200);

        const result = await runSchemathesis({
          bin: schemathesis,
          spec: SPEC,
          baseUrl: `${backend.url}/api/exposure`,
          token,
          checks: CHECKS,
          maxExamples: MAX_EXAMPLES,
          seed: SEED,
          cwd: workDir,
          timeoutMs: 150_000,
        });
        if (result.code !== 0) {
          throw new Error(
            `schemathesis found failures as ${user} on ${name} (exit ${
              result.code
            }):\n${result.output}\n--- backend output ---\n${backend
              .output()
              .slice(-3000)}`,
          );
        }
        expect(result.output).toContain(`Tested: ${operationCount}`);
      },
      200_000,
    );
  });
});
