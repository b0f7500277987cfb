import { KubeObject } from '../render/kubeObject';
import { covers, syncObjects, SyncClient } from './syncObjects';

function memoryCluster(initial: KubeObject[] = []) {
  const objects = new Map(initial.map(o => [o.metadata.name, o]));
  const writes: string[] = [];
  const client: SyncClient = {
    async listManaged(_apiVersion, kind) {
      return [...objects.values()].filter(o => o.kind === kind);
    },
    async create(o) {
      writes.push(`create ${o.metadata.name}`);
      objects.set(o.metadata.name, {
        ...o,
        spec: { ...(o.spec as object), defaulted: true },
      });
    },
    async replace(o) {
      writes.push(`replace ${o.metadata.name}`);
      objects.set(o.metadata.name, o);
    },
    async delete(o) {
      writes.push(`delete ${o.metadata.name}`);
      objects.delete(o.metadata.name);
    },
  };
  return { client, objects, writes };
}

const grant = (name: string, addresses: string[]): KubeObject => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'ExposureGrant',
  metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'portico' } },
  spec: { addresses },
});

describe('syncObjects', () => {
  it('creates, then writes nothing on a second run despite server defaults', async () => {
    const cluster = memoryCluster();
    await syncObjects(cluster.client, [grant('a', ['192.0.2.1'])]);
    const second = await syncObjects(cluster.client, [
      grant('a', ['192.0.2.1']),
    ]);
    expect(second).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
      problems: [],
    });
    expect(cluster.writes).toEqual(['create a']);
  });

  it('replaces a changed object and deletes one no longer wanted', async () => {
    const cluster = memoryCluster([
      grant('a', ['192.0.2.1']),
      grant('b', ['192.0.2.2']),
    ]);
    const result = await syncObjects(cluster.client, [
      grant('a', ['192.0.2.9']),
    ]);
    expect(result).toEqual({
      created: 0,
      updated: 1,
      deleted: 1,
      problems: [],
    });
    expect([...cluster.objects.keys()]).toEqual(['a']);
  });
});

describe('covers', () => {
  it('accepts extra fields but not a different or missing one', () => {
    expect(covers({ a: 1, b: [1, 2], extra: true }, { a: 1, b: [1, 2] })).toBe(
      true,
    );
    expect(covers({ a: 1, b: [1] }, { a: 1, b: [1, 2] })).toBe(false);
    expect(covers({ b: [1, 2] }, { a: 1 })).toBe(false);
  });

  it('leaves a managed object it is told to keep', async () => {
    const cluster = memoryCluster([grant('a', ['192.0.2.1'])]);
    const result = await syncObjects(cluster.client, [], {
      keep: o => o.metadata.name === 'a',
    });
    expect(result.deleted).toBe(0);
    expect(cluster.writes).toEqual([]);
  });
});
