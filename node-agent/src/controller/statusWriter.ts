import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

export interface GrantCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Where the controller writes what it decided. */
export interface StatusWriter {
  serviceIngress(
    namespace: string,
    name: string,
    addresses: string[],
  ): Promise<void>;
  grantConditions(name: string, conditions: GrantCondition[]): Promise<void>;
  /** Sets annotations the controller owns; null removes one. */
  serviceAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
  ): Promise<void>;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Writes through the status subresources with JSON merge patches (RFC 7386), so
 * only the fields the controller owns change and nothing it does not know about
 * is dropped. A merge patch replaces lists whole, which is what `ingress` needs.
 */
export class KubeStatusWriter implements StatusWriter {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async serviceIngress(namespace: string, name: string, addresses: string[]) {
    await this.core.patchNamespacedServiceStatus(
      {
        namespace,
        name,
        body: {
          status: {
            loadBalancer: {
              // RFC 7386: null removes the member.
              ingress:
                addresses.length > 0 ? addresses.map(ip => ({ ip })) : null,
            },
          },
        },
      },
      mergePatch,
    );
  }

  async serviceAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
  ) {
    // Metadata only: deploy/admission lets the controller change nothing else of a Service.
    await this.core.patchNamespacedService(
      { namespace, name, body: { metadata: { annotations } } },
      mergePatch,
    );
  }

  async grantConditions(name: string, conditions: GrantCondition[]) {
    await this.custom.patchClusterCustomObjectStatus(
      {
        group: 'portico.dev',
        version: 'v1alpha1',
        plural: 'exposuregrants',
        name,
        body: { status: { conditions } },
      },
      mergePatch,
    );
  }
}
