import { establishedCrdStatus } from '../resources/crdResources';
import { groupResourceKey, ResourceType } from '../resources/ResourceType';
import { ServiceAllocations } from '../resources/serviceAllocations';
import { ServiceDefaults } from '../resources/serviceDefaults';
import { ObjectStore } from '../store/ObjectStore';
import { isJsonObject, KubeObject } from '../types';
import { kubeTimestamp } from './kubeTimestamp';

export const CRD_GROUP_RESOURCE =
  'apiextensions.k8s.io/customresourcedefinitions';
export const NAMESPACES = '/namespaces';
const SERVICES = '/services';
const SECRETS = '/secrets';

/** A Secret's stringData is write-only: apiserver folds it into data, base64-encoded. */
function defaultSecret(secret: KubeObject): void {
  secret.type ??= 'Opaque';
  if (!isJsonObject(secret.stringData)) return;
  const data = isJsonObject(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(secret.stringData)) {
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  secret.data = data;
  delete secret.stringData;
}

function labelNamespace(namespace: KubeObject): void {
  namespace.metadata.labels = {
    ...namespace.metadata.labels,
    'kubernetes.io/metadata.name': namespace.metadata.name!,
  };
}

/**
 * What the built-in kinds' registries fill in on create and update: Service
 * defaults and allocations, Namespace label, finalizer and phase, Secret stringData,
 * and a CRD's status once it is served.
 */
export class KindDefaults {
  private readonly services: ServiceDefaults;

  constructor(store: ObjectStore, serviceCidr: string) {
    const allocations = new ServiceAllocations(store);
    this.services = new ServiceDefaults(
      serviceCidr,
      ip => allocations.hasIP(ip),
      port => allocations.hasNodePort(port),
    );
  }

  onCreate(type: ResourceType, object: KubeObject): void {
    switch (groupResourceKey(type)) {
      case SERVICES:
        this.services.onCreate(object);
        break;
      case SECRETS:
        defaultSecret(object);
        break;
      case NAMESPACES:
        labelNamespace(object);
        object.spec = {
          finalizers: ['kubernetes'],
          ...(isJsonObject(object.spec) ? object.spec : {}),
        };
        object.status = { phase: 'Active' };
        break;
      case CRD_GROUP_RESOURCE:
        object.status = establishedCrdStatus(object, kubeTimestamp());
        break;
      default:
    }
  }

  onUpdate(type: ResourceType, object: KubeObject, previous: KubeObject): void {
    switch (groupResourceKey(type)) {
      case SERVICES:
        this.services.onUpdate(object, previous);
        break;
      case SECRETS:
        defaultSecret(object);
        break;
      case NAMESPACES:
        labelNamespace(object);
        break;
      case CRD_GROUP_RESOURCE:
        object.status = establishedCrdStatus(object, kubeTimestamp());
        break;
      default:
    }
  }
}
