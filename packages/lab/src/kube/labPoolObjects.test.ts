import { labPoolObjects } from './labPoolObjects';

describe('labPoolObjects', () => {
  it('renders each lab pool with its advertisement, and the router as BGP peer', () => {
    const objects = labPoolObjects().map(o => `${o.kind}/${o.metadata.name}`);
    expect(objects).toEqual([
      'IPAddressPool/prod-external',
      'L2Advertisement/prod-external',
      'IPAddressPool/internal-bgp',
      'BGPAdvertisement/internal-bgp',
      'IPAddressPool/preview',
      'L2Advertisement/preview',
      'BGPPeer/lab-dc-0',
    ]);
    const peer = labPoolObjects().find(o => o.kind === 'BGPPeer')!;
    expect(peer.spec).toEqual({
      peerAddress: '192.0.2.1',
      peerASN: 64500,
      myASN: 64512,
      holdTime: '9s',
    });
  });
});
