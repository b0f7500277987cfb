import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { resolve } from 'node:path';
import request from 'supertest';

jest.setTimeout(120_000);

const catalogDir = resolve(__dirname, '../../../catalog');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 250));
  }
}

describe.each(databases.eachSupportedId())('demo catalog on %p', databaseId => {
  it('serves the demo groups, users, system and components over HTTP', async () => {
    const knex = await databases.init(databaseId);
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Component', 'System', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: `${catalogDir}/org.yaml` },
                { type: 'file', target: `${catalogDir}/components.yaml` },
              ],
            },
          },
        }),
      ],
    });

    const expected = [
      'group:network-team',
      'group:platform-team',
      'group:team-payments',
      'group:team-search',
      'user:alice',
      'system:storefront',
      'component:edge-api',
      'component:checkout',
      'component:search-api',
    ];
    const listRefs = async (): Promise<string[]> => {
      const res = await request(server).get(
        '/api/catalog/entities/by-query?limit=100',
      );
      expect(res.status).toBe(200);
      return res.body.items.map(
        (e: { kind: string; metadata: { name: string } }) =>
          `${e.kind.toLowerCase()}:${e.metadata.name}`,
      );
    };
    // The catalog ingests the files entity by entity: wait for all of them,
    // not the first few, or the list can be caught half-filled.
    const names = await waitFor(async () => {
      const refs = await listRefs();
      return expected.every(ref => refs.includes(ref)) ? refs : undefined;
    }, 60_000).catch(async (error: Error) => {
      const refs = await listRefs();
      const missing = expected.filter(ref => !refs.includes(ref));
      throw new Error(`${error.message}; missing ${missing.join(', ')}`);
    });

    expect(names).toEqual(expect.arrayContaining(expected));

    const edgeApi = await request(server).get(
      '/api/catalog/entities/by-name/component/default/edge-api',
    );
    expect(edgeApi.status).toBe(200);
    expect(edgeApi.body.spec.owner).toBe('group:default/team-payments');

    const anonymous = await request(server)
      .get('/api/catalog/entities/by-query')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});
