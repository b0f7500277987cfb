import type { Entity } from '@backstage/catalog-model';
import type {
  Allocation,
  AuditEvent,
  ExposureRequest,
  PoolSummary,
  SegmentSummary,
} from '@portico/plugin-exposure-common';
import type { ExposureApi } from '../api';

/** Data shaped like the backend's answers for the demo config. */
export const edgeApiEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'edge-api',
    namespace: 'default',
    annotations: { 'portico.dev/kubernetes-service': 'payments/edge-api' },
  },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

export const checkoutEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: { type: 'service', owner: 'team-payments' },
};

export const searchApiEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'search-api', namespace: 'default' },
  spec: { type: 'service', owner: 'team-search' },
};

const policy = {
  owners: [],
  namespaces: [],
  approval: 'required' as const,
  ports: [],
  protocols: ['TCP' as const],
  allowSharing: false,
  avoidEdgeAddresses: true,
};

export const pools: PoolSummary[] = [
  {
    name: 'prod-external',
    segment: 'dmz',
    vlan: 120,
    intent: 'production-external',
    family: 4,
    addresses: ['10.40.20.120-10.40.20.139'],
    advertisement: { type: 'l2' } as PoolSummary['advertisement'],
    policy: policy as unknown as PoolSummary['policy'],
    clusters: ['prod-1'],
    counts: { total: '20', allocated: '3', reserved: '2', free: '15' },
  },
  {
    name: 'scratch',
    segment: 'lab',
    intent: 'temporary',
    family: 4,
    addresses: ['192.0.2.0/28'],
    advertisement: { type: 'bgp' } as PoolSummary['advertisement'],
    policy: {
      ...policy,
      approval: 'automatic',
      maxLifetimeHours: 72,
    } as unknown as PoolSummary['policy'],
    clusters: ['dev-1', 'prod-1'],
    counts: { total: '16', allocated: '0', reserved: '0', free: '16' },
  },
];

export const segments: SegmentSummary[] = [
  {
    name: 'dmz',
    description: 'Internet-facing VLAN',
    cidrs: ['10.40.20.0/24'],
    vlan: 120,
    modes: ['l2', 'bgp'],
    bgpPeers: [
      {
        address: '10.40.20.1',
        asn: 64500,
        localAsn: 64512,
        port: 179,
        holdTime: 90,
        hasPassword: true,
      },
    ],
    reserved: ['10.40.20.1-10.40.20.9'],
    clusters: ['prod-1'],
    pools: ['prod-external'],
  },
];

export function exposureRequest(
  overrides: Partial<ExposureRequest> = {},
): ExposureRequest {
  return {
    id: '6f1c8a52-3f7e-4f0c-9a55-6c7b1f0e2a10',
    state: 'pending',
    requestedBy: 'user:default/alice',
    entityRef: 'component:default/edge-api',
    owner: 'group:default/team-payments',
    cluster: 'prod-1',
    namespace: 'payments',
    serviceName: 'edge-api',
    ports: [{ port: 443, protocol: 'TCP' }],
    pool: 'prod-external',
    segment: 'dmz',
    intent: 'production-external',
    exposureKind: 'direct',
    justification: 'public payments API',
    reasons: [
      {
        code: 'approval-required',
        verdict: 'needs-approval',
        message: 'pool prod-external needs a platform admin to approve',
      },
    ],
    createdAt: '2026-11-25T10:00:00Z',
    updatedAt: '2026-11-25T10:00:00Z',
    ...overrides,
  };
}

export function allocation(index: number): Allocation {
  return {
    requestId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    segment: 'dmz',
    pool: 'prod-external',
    address: `10.40.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    owner:
      index % 2 ? 'group:default/team-payments' : 'group:default/team-search',
    entityRef: `component:default/svc-${index}`,
    cluster: 'prod-1',
    namespace: 'apps',
    serviceName: `svc-${index}`,
    ports: [{ port: 443, protocol: 'TCP' }],
    shared: false,
    allocatedAt: '2026-11-25T10:00:00Z',
  };
}

export function auditEvent(
  seq: number,
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    seq,
    at: `2026-11-25T10:0${seq % 10}:00Z`,
    actor: 'user:default/alice',
    action: 'request.created',
    subjectType: 'request',
    subjectId: '6f1c8a52-3f7e-4f0c-9a55-6c7b1f0e2a10',
    before: null,
    after: { state: 'pending' },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...overrides,
  };
}

/** An ExposureApi whose every method is a jest mock that never resolves unless set. */
export function mockExposureApi(
  overrides: { [K in keyof ExposureApi]?: jest.Mock } = {},
): jest.Mocked<ExposureApi> {
  const pending = () => jest.fn(() => new Promise<never>(() => {}));
  return {
    listSegments: pending(),
    listPools: pending(),
    getPool: pending(),
    exportPools: pending(),
    exportPoolRows: pending(),
    listRequests: pending(),
    getRequest: pending(),
    dryRun: pending(),
    createRequest: pending(),
    approveRequest: pending(),
    rejectRequest: pending(),
    releaseRequest: pending(),
    listAllocations: pending(),
    listAuditEvents: pending(),
    verifyAuditChain: pending(),
    getClusters: pending(),
    adoptCluster: pending(),
    ...overrides,
  } as jest.Mocked<ExposureApi>;
}
