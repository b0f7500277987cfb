import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkStartupConfig } from './startupConfig';

const repoRoot = resolve(__dirname, '../../..');

describe('startup configuration check', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The real backend entry point with the shipped config plus `extra`. */
  function startBackend(extra: string) {
    return spawnSync(
      'npx',
      [
        'tsx',
        resolve(__dirname, 'index.ts'),
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        extra,
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    );
  }

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('accepts the shipped defaults', async () => {
    await expect(
      checkStartupConfig([
        'node',
        'backend',
        '--config',
        join(repoRoot, 'app-config.yaml'),
      ]),
    ).resolves.toBeUndefined();
  });

  it('names the file, line and column of broken YAML', async () => {
    const bad = file('bad.yaml', 'app:\n  title: [unclosed\n');
    await expect(
      checkStartupConfig(['node', 'backend', '--config', bad]),
    ).rejects.toThrow(new RegExp(`^${bad}:\\d+:\\d+: invalid YAML`));
  });

  it('names the key of an unknown database client', async () => {
    const bad = file('db.yaml', 'backend:\n  database:\n    client: mongodb\n');
    await expect(
      checkStartupConfig([
        'node',
        'backend',
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        bad,
      ]),
    ).rejects.toThrow(
      'backend.database.client: "mongodb" is not a supported database client',
    );
  });

  it('lists every problem of a bad exposure section with its path', async () => {
    const bad = file(
      'exposure.yaml',
      [
        'exposure:',
        '  segments:',
        '    - name: dmz',
        '      cidrs: [not-a-cidr]',
        '      modes: [l2]',
        '  pools:',
        '    - name: Bad Name',
        '      segment: dmz',
        '      intent: production-external',
        '      addresses: [192.0.2.0/28]',
        '',
      ].join('\n'),
    );
    const error = await checkStartupConfig([
      'node',
      'backend',
      '--config',
      join(repoRoot, 'app-config.yaml'),
      '--config',
      bad,
    ]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^invalid exposure configuration:\n {2}- exposure\.segments\[0\]\.cidrs\[0\]: /,
    );
    expect((error as Error).message).toContain('exposure.pools[0].name: ');
  });

  it('makes the real backend exit at once with a bad exposure section, saying it once', () => {
    const bad = file(
      'exposure.yaml',
      'exposure:\n  segments:\n    - name: dmz\n      cidrs: [not-a-cidr]\n      modes: [l2]\n',
    );
    const result = startBackend(bad);
    // A hang would be killed by the timeout: status null, not 1.
    expect(result.status).toBe(1);
    const said = result.stderr.match(/exposure\.segments\[0\]\.cidrs\[0\]/g);
    expect(said).toHaveLength(1);
    expect(result.stderr).toContain(
      'Portico cannot start: invalid exposure configuration',
    );
  }, 70_000);

  it('makes the real backend exit at once with that message', () => {
    const bad = file('db.yaml', 'backend:\n  database:\n    client: mongodb\n');
    const result = startBackend(bad);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Portico cannot start: backend.database.client: "mongodb"',
    );
  }, 70_000);
});
