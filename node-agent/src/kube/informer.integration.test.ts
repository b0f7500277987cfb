import { CoreV1Api, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { silentLogger } from '../logging';
import { Informer } from './informer';
import { trimSecret } from './peerSecrets';
import {
  eventually,
  KubeHarness,
  startHarness,
} from './__testUtils__/kubeHarness';

jest.setTimeout(90_000);

describe('Informer with a transform', () => {
  let h: KubeHarness;
  const stop = new AbortController();

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    stop.abort();
    await h?.cleanup();
  });

  const secret = (name: string, password: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: h.ns.metallb },
    type: 'kubernetes.io/basic-auth',
    stringData: { username: 'portico', password },
  });

  it('caches only the transformed objects, listed and watched', async () => {
    await h.create(secret('listed', 'one'));
    const core = h.as.speaker.makeApiClient(CoreV1Api);
    const informer = new Informer<KubernetesObject>({
      name: 'secrets',
      path: `/api/v1/namespaces/${h.ns.metallb}/secrets`,
      list: () => core.listNamespacedSecret({ namespace: h.ns.metallb }),
      kubeConfig: h.as.speaker,
      logger: silentLogger,
      onChange: () => {},
      transform: trimSecret as (o: KubernetesObject) => KubernetesObject,
    });
    informer.start(stop.signal);
    await informer.whenSynced(AbortSignal.timeout(10_000));
    await h.create(secret('watched', 'two'));

    const cached = await eventually(
      async () =>
        informer.list().length === 2
          ? (informer.list() as V1Secret[])
          : undefined,
      10_000,
      'both Secrets cached',
    );
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(
      cached
        .map(s => [s.metadata?.name, s.data])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['listed', { password: b64('one') }],
      ['watched', { password: b64('two') }],
    ]);
    expect(cached.every(s => s.metadata?.resourceVersion)).toBe(true);

    await h.core.deleteNamespacedSecret({
      name: 'listed',
      namespace: h.ns.metallb,
    });
    await eventually(
      async () => (informer.list().length === 1 ? true : undefined),
      10_000,
      'the deleted Secret gone from the cache',
    );
  });
});
