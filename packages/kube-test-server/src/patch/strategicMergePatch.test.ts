import { listStrategy } from './patchMeta';
import { applyStrategicMergePatch } from './strategicMergePatch';

const service = (path: string) => listStrategy('/services', path);

describe('applyStrategicMergePatch', () => {
  const original = {
    metadata: { labels: { a: '1', b: '2' }, finalizers: ['x'] },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'edge' },
      ports: [
        { port: 443, targetPort: 8443, protocol: 'TCP', nodePort: 30000 },
        { port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30001 },
      ],
      externalIPs: ['192.0.2.1'],
    },
  };

  it('merges ports by their merge key and keeps fields the patch does not name', () => {
    const result = applyStrategicMergePatch(
      original,
      {
        spec: {
          ports: [
            { port: 443, targetPort: 9443 },
            { port: 53, protocol: 'UDP' },
          ],
        },
      },
      service,
    );
    expect((result.spec as any).ports).toEqual([
      { port: 443, targetPort: 9443, protocol: 'TCP', nodePort: 30000 },
      { port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30001 },
      { port: 53, protocol: 'UDP' },
    ]);
  });

  it('replaces lists without a merge strategy and deletes keys set to null', () => {
    const result = applyStrategicMergePatch(
      original,
      {
        metadata: { labels: { a: null } },
        spec: { externalIPs: ['192.0.2.2'] },
      },
      service,
    );
    expect((result.metadata as any).labels).toEqual({ b: '2' });
    expect((result.spec as any).externalIPs).toEqual(['192.0.2.2']);
  });

  it('honours $patch delete in a list, $setElementOrder and $deleteFromPrimitiveList', () => {
    const result = applyStrategicMergePatch(
      original,
      {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
        spec: {
          '$setElementOrder/ports': [{ port: 80 }, { port: 443 }],
          ports: [{ port: 443, $patch: 'delete' }, { port: 8080 }],
        },
      },
      service,
    );
    expect((result.metadata as any).finalizers).toEqual([]);
    expect((result.spec as any).ports.map((p: any) => p.port)).toEqual([
      80, 8080,
    ]);
  });

  it('replaces a map marked $patch: replace and keeps only $retainKeys', () => {
    const replaced = applyStrategicMergePatch(
      original,
      { spec: { selector: { $patch: 'replace', tier: 'web' } } },
      service,
    );
    expect((replaced.spec as any).selector).toEqual({ tier: 'web' });
    const retained = applyStrategicMergePatch(
      original,
      { spec: { $retainKeys: ['type', 'ports'], type: 'ClusterIP' } },
      service,
    );
    expect(Object.keys(retained.spec as object).sort()).toEqual([
      'ports',
      'type',
    ]);
  });

  it('merges primitive lists that are sets, such as finalizers', () => {
    const result = applyStrategicMergePatch(
      original,
      { metadata: { finalizers: ['y', 'x'] } },
      service,
    );
    expect((result.metadata as any).finalizers).toEqual(['x', 'y']);
  });
});
