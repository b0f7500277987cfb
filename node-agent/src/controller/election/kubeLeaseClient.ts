import {
  CoordinationV1Api,
  KubeConfig,
  V1Lease,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { LeaseClient, StoredLease } from './leaderElector';
import type { LeaseRecord } from './leaseDecision';

function statusOf(error: any): number | undefined {
  return error?.code ?? error?.statusCode;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value !== '') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** MicroTime must carry microseconds on the wire (`...00.123000Z`). */
const micro = (d?: Date) => (d ? new V1MicroTime(d.getTime()) : undefined);

/** The elector's Lease as a `coordination.k8s.io/v1` Lease object. */
export class KubeLeaseClient implements LeaseClient {
  private readonly api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  async get(): Promise<StoredLease | undefined> {
    try {
      const lease = await this.api.readNamespacedLease({
        name: this.name,
        namespace: this.namespace,
      });
      const spec = lease.spec ?? {};
      return {
        version: lease.metadata?.resourceVersion ?? '',
        record: {
          holderIdentity: spec.holderIdentity || undefined,
          leaseDurationSeconds: spec.leaseDurationSeconds,
          acquireTime: toDate(spec.acquireTime),
          renewTime: toDate(spec.renewTime),
          leaseTransitions: spec.leaseTransitions,
        },
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async create(record: LeaseRecord): Promise<boolean> {
    try {
      await this.api.createNamespacedLease({
        namespace: this.namespace,
        body: this.body(record),
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  async update(record: LeaseRecord, version: string): Promise<boolean> {
    try {
      await this.api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: this.body(record, version),
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  private body(record: LeaseRecord, resourceVersion?: string): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        resourceVersion,
        labels: { 'app.kubernetes.io/part-of': 'portico' },
      },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: micro(record.acquireTime),
        renewTime: micro(record.renewTime),
        leaseTransitions: record.leaseTransitions,
      },
    };
  }
}
