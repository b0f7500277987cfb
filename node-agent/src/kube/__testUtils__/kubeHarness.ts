import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  V1Service,
} from '@kubernetes/client-node';
import { KubeTarget, kubeTarget } from '@portico/kube-test-server';
import { silentLogger } from '../../logging';
import { ClusterView, Kind } from '../clusterView';

export const CRDS = resolve(__dirname, '../../../../deploy/crds');

/**
 * A cluster for one test file: the in-process test API server, or the real
 * cluster PORTICO_E2E_KUBECONFIG names. Every name is unique to the run, and
 * everything created through `create` is deleted by `cleanup`.
 */
export interface KubeHarness {
  target: KubeTarget;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  run: string;
  /** Namespaces of this run: MetalLB objects, the agent, and the apps. */
  ns: { metallb: string; agent: string; apps: string };
  /** A loadBalancerClass unique to the run (used on real clusters). */
  loadBalancerClass: string;
  create<T extends KubernetesObject>(obj: T): Promise<T>;
  /** A started view of the run's namespaces over `kinds`, until `signal` aborts. */
  startView(kinds: Kind[], signal: AbortSignal): ClusterView;
  remove(obj: KubernetesObject): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startHarness(): Promise<KubeHarness> {
  const run = randomBytes(3).toString('hex');
  const ns = {
    metallb: `mlb-${run}`,
    agent: `portico-${run}`,
    apps: `apps-${run}`,
  };
  const target = await kubeTarget({ crds: [CRDS], historySize: 200 });
  const kc = new KubeConfig();
  kc.loadFromString(target.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const name of Object.values(ns)) {
    await core.createNamespace({ body: { metadata: { name } } });
  }
  const created: KubernetesObject[] = [];
  return {
    target,
    kc,
    core,
    custom,
    run,
    ns,
    loadBalancerClass: `portico.dev/test-${run}`,
    async create<T extends KubernetesObject>(obj: T): Promise<T> {
      const out = (await objects.create(obj)) as T;
      if (!obj.metadata?.namespace) created.push(obj);
      return out;
    },
    startView(kinds: Kind[], signal: AbortSignal) {
      const view = new ClusterView({
        kubeConfig: kc,
        logger: silentLogger,
        metallbNamespace: ns.metallb,
        agentNamespace: ns.agent,
        kinds,
        debounceMs: 10,
      });
      view.start(signal);
      return view;
    },
    async remove(obj: KubernetesObject) {
      await objects.delete(obj);
    },
    async cleanup() {
      for (const obj of created.reverse()) {
        await objects.delete(obj).catch(() => undefined);
      }
      for (const name of Object.values(ns)) {
        await core.deleteNamespace({ name }).catch(() => undefined);
      }
      await target.stop();
    },
  };
}

/** Polls `probe` every 50 ms until it returns a value (not undefined), for at most `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not met within ${ms} ms${last ? `: ${last}` : ''}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

export function loadBalancer(
  namespace: string,
  name: string,
  extra: {
    annotations?: Record<string, string>;
    spec?: Partial<NonNullable<V1Service['spec']>>;
  } = {},
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: extra.annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ port: 443, targetPort: 8443 as any, protocol: 'TCP' }],
      ...extra.spec,
    },
  };
}

export function ipAddressPool(
  namespace: string,
  name: string,
  addresses: string[],
  extra = {},
) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace },
    spec: { addresses, ...extra },
  };
}

export function exposureGrant(
  name: string,
  service: { namespace: string; name: string },
  addresses: string[],
  pool: string,
  extra = {},
) {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ExposureGrant',
    metadata: { name },
    spec: {
      service,
      addresses,
      pool,
      requestId: `req-${name}`,
      owner: 'group:default/team-edge',
      ...extra,
    },
  };
}
