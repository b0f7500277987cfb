import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults a controller can start with', () => {
    const c = loadConfig(['controller'], {});
    expect(c).toMatchObject({
      role: 'controller',
      mode: 'enforce',
      namespace: 'portico-system',
      metallbNamespace: 'metallb-system',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      listen: { host: '0.0.0.0', port: 7472 },
    });
  });

  it('reads the environment, and a flag wins over it', () => {
    const env = {
      PORTICO_MODE: 'audit',
      NODE_NAME: 'node-a',
      POD_NAME: 'agent-1',
    };
    expect(loadConfig(['speaker'], env)).toMatchObject({
      role: 'speaker',
      mode: 'audit',
      nodeName: 'node-a',
      identity: 'agent-1',
    });
    expect(loadConfig(['speaker', '--mode', 'enforce'], env).mode).toBe(
      'enforce',
    );
  });

  it('names the flag, its variable and the reason for every bad value', () => {
    let error: Error | undefined;
    try {
      loadConfig(
        ['speaker', '--lease-duration', 'soon', '--listen', 'nowhere'],
        {
          PORTICO_MODE: 'strict',
        },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/--mode \(PORTICO_MODE\): .*enforce.*audit/);
    expect(error?.message).toMatch(
      /--lease-duration \(PORTICO_LEASE_DURATION\): "soon"/,
    );
    expect(error?.message).toMatch(
      /--listen \(PORTICO_LISTEN\): expected HOST:PORT/,
    );
    expect(() => loadConfig(['speaker'], {})).toThrow(
      /--node-name \(NODE_NAME\): the speaker needs/,
    );
  });

  it('rejects a missing role, unknown flags and inconsistent timers', () => {
    expect(() => loadConfig([], {})).toThrow(/controller or speaker/);
    expect(() => loadConfig(['controller', '--bogus', 'x'], {})).toThrow(
      /bogus/,
    );
    expect(() =>
      loadConfig(
        ['controller', '--lease-duration', '5s', '--renew-deadline', '10s'],
        {},
      ),
    ).toThrow(/--renew-deadline .*shorter than --lease-duration/);
  });
});
