import { formatCount, formatPorts, shortRef, usageShares } from './format';

describe('format', () => {
  it('shows where a port goes and its name, not a target equal to the port', () => {
    expect(
      formatPorts([
        { port: 443, protocol: 'TCP', targetPort: 8443, name: 'https' },
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 53, protocol: 'UDP', targetPort: 'dns' },
      ]),
    ).toBe('443/TCP → 8443 (https), 80/TCP, 53/UDP → dns');
  });

  it('shortens entity refs of the expected kind in the default namespace', () => {
    expect(shortRef('user:default/pat', 'user')).toBe('pat');
    expect(shortRef('group:default/team-payments', 'group')).toBe(
      'team-payments',
    );
    expect(shortRef('group:ops/team-a', 'group')).toBe('ops/team-a');
    expect(shortRef('user:default/pat', 'group')).toBe('user:pat');
    expect(shortRef('system:portico', 'user')).toBe('system:portico');
  });

  it('computes usage shares of pools larger than 2^53', () => {
    expect(
      usageShares({
        total: '18446744073709551616',
        allocated: '9223372036854775808',
        reserved: '0',
        free: '9223372036854775808',
      }),
    ).toEqual({ allocated: 50, reserved: 0, free: 50 });
    expect(formatCount('18446744073709551616')).toBe('1.8e+19');
    expect(formatCount('1234')).toBe('1,234');
    expect(
      usageShares({ total: '0', allocated: '0', reserved: '0', free: '0' }),
    ).toEqual({ allocated: 0, reserved: 0, free: 0 });
  });
});
