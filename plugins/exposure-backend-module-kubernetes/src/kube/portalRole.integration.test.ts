import {
  PORTAL_USER,
  PortalCluster,
  startPortalCluster,
} from '../__testUtils__/portalCluster';
import { missingCalls, parseCanIList } from '../__testUtils__/canIList';
import { CLUSTER_CALLS } from './clusterCalls';

jest.setTimeout(120_000);

describe('deploy/rbac/portal.yaml on a real kube-apiserver', () => {
  let cluster: PortalCluster;
  let rules: ReturnType<typeof parseCanIList>;

  beforeAll(async () => {
    cluster = await startPortalCluster();
    rules = parseCanIList(
      await cluster.kubectl(['auth', 'can-i', '--list', `--as=${PORTAL_USER}`]),
    );
  }, 120_000);

  afterAll(() => cluster?.stop());

  it('grants every call the reconciler makes (src/kube/clusterCalls.ts)', () => {
    expect(rules.map(r => r.resource)).toContain('exposuregrants.portico.dev');
    expect(missingCalls(rules, CLUSTER_CALLS)).toEqual([]);
  });

  it('would name a call the role lacks, and holds CRD reads to the kinds written', () => {
    expect(
      missingCalls(rules, [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          group: '',
          resource: 'namespaces',
          verbs: ['delete'],
        },
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          group: 'apiextensions.k8s.io',
          resource: 'customresourcedefinitions',
          verbs: ['get', 'list'],
          resourceNames: ['ipaddresspools.metallb.io', 'widgets.example.com'],
        },
      ]),
    ).toEqual([
      'delete namespaces',
      'get customresourcedefinitions.apiextensions.k8s.io widgets.example.com',
      'list customresourcedefinitions.apiextensions.k8s.io ipaddresspools.metallb.io',
      'list customresourcedefinitions.apiextensions.k8s.io widgets.example.com',
    ]);
  });

  it('lets the portal read a written CRD but no other', async () => {
    const own = await cluster.kubectl(
      ['get', 'crd', 'ipaddresspools.metallb.io', '-o', 'name'],
      { as: 'portal' },
    );
    expect(own.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io',
    );
    await expect(
      cluster.kubectl(['get', 'crd'], { as: 'portal' }),
    ).rejects.toThrow(/forbidden/);
  });
});
