import { planTopology } from '../topology';
import { protocolName, renderBirdConfig } from './birdConfig';

describe('renderBirdConfig', () => {
  const config = renderBirdConfig(planTopology('abc'));

  it('peers with every node, passively, and merges equal routes into ECMP', () => {
    for (const address of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) {
      expect(config).toContain(`neighbor ${address} as 64512;`);
    }
    expect(config).toContain('passive on;');
    expect(config).toContain('merge paths on;');
    expect(config).toContain('local 192.0.2.1 as 64500;');
  });

  it('names protocols as BIRD allows', () => {
    expect(protocolName('node-a')).toBe('node_a');
  });
});
