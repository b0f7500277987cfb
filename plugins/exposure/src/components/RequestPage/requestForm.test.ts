import type { PoolSummary } from '@portico/plugin-exposure-common';
import {
  buildRequestInput,
  clusterChoices,
  emptyForm,
  formFromEntity,
  parsePorts,
} from './requestForm';
import { edgeApiEntity, pools } from '../../__testUtils__/fixtures';

const now = new Date('2026-11-25T12:00:00Z');

describe('the request form', () => {
  const filled = {
    ...formFromEntity(emptyForm, edgeApiEntity),
    cluster: 'prod-1',
    ports: '443',
    pool: 'prod-external',
  };

  it('takes the owner group and the Service from the picked component', () => {
    expect(formFromEntity(emptyForm, edgeApiEntity)).toMatchObject({
      entityRef: 'component:default/edge-api',
      owner: 'group:default/team-payments',
      namespace: 'payments',
      serviceName: 'edge-api',
    });
  });

  it('reads ports with optional protocols and refuses anything else', () => {
    expect(parsePorts('443, 8443/tcp 53/UDP')).toEqual({
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 8443, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    expect(parsePorts('443/http')).toEqual({
      error: '"443/http" is not a port such as 443, 443:8443 or 53/UDP',
    });
  });

  it('reads target ports, by number or name, and port names', () => {
    expect(parsePorts('https=443:8443, 80:web/TCP 53/udp')).toEqual({
      ports: [
        { port: 443, protocol: 'TCP', targetPort: 8443, name: 'https' },
        { port: 80, protocol: 'TCP', targetPort: 'web' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    expect(parsePorts('443:')).toEqual({
      error: '"443:" is not a port such as 443, 443:8443 or 53/UDP',
    });
  });

  it('builds the API body with the chosen pool', () => {
    expect(buildRequestInput(filled, pools as PoolSummary[], now)).toEqual({
      input: {
        entityRef: 'component:default/edge-api',
        owner: 'group:default/team-payments',
        cluster: 'prod-1',
        namespace: 'payments',
        serviceName: 'edge-api',
        ports: [{ port: 443, protocol: 'TCP' }],
        pool: 'prod-external',
        exposureKind: 'direct',
        justification: '',
      },
    });
  });

  it('names the fields the shared schema rejects', () => {
    const result = buildRequestInput(
      { ...filled, serviceName: 'Edge_API', ports: '', pool: '' },
      pools as PoolSummary[],
      now,
    );
    expect(result).toEqual({
      errors: {
        serviceName: 'must be a lowercase RFC 1123 label (a-z, 0-9, "-")',
        ports: 'at least one port',
        pool: 'give a pool or an intent',
      },
    });
  });

  it('asks for a lifetime on temporary pools and turns it into an expiry', () => {
    const temporary = { ...filled, pool: 'scratch' };
    expect(buildRequestInput(temporary, pools as PoolSummary[], now)).toEqual({
      errors: { lifetimeHours: 'temporary exposures need a lifetime' },
    });
    const result = buildRequestInput(
      { ...temporary, lifetimeHours: '24' },
      pools as PoolSummary[],
      now,
    );
    expect(result).toMatchObject({
      input: { expiresAt: '2026-11-26T12:00:00.000Z' },
    });
  });

  it('offers the clusters of the chosen pool, or of every pool of the intent', () => {
    expect(clusterChoices(filled, pools as PoolSummary[])).toEqual(['prod-1']);
    expect(
      clusterChoices(
        { ...emptyForm, intent: 'temporary' },
        pools as PoolSummary[],
      ),
    ).toEqual(['dev-1', 'prod-1']);
  });
});
