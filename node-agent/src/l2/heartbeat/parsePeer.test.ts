import { parsePeer } from './heartbeatService';

describe('parsePeer', () => {
  it('reads hosts with and without ports, IPv4 and IPv6', () => {
    expect(parsePeer('192.0.2.12', 7473)).toEqual({
      host: '192.0.2.12',
      port: 7473,
    });
    expect(parsePeer('192.0.2.12:9000', 7473)).toEqual({
      host: '192.0.2.12',
      port: 9000,
    });
    expect(parsePeer('2001:db8::12', 7473)).toEqual({
      host: '2001:db8::12',
      port: 7473,
    });
    expect(parsePeer('[2001:db8::12]:9000', 7473)).toEqual({
      host: '2001:db8::12',
      port: 9000,
    });
    expect(parsePeer('[2001:db8::12]', 7473)).toEqual({
      host: '2001:db8::12',
      port: 7473,
    });
  });
});
