import { execFile, execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/**
 * A layer-2 segment made of network namespaces: one bridge namespace, a client and
 * N "nodes", each joined to the bridge by a veth pair whose inner end is `eth0`.
 * TEST-NET addresses only (192.0.2.0/24, 2001:db8::/64). Names carry a random run
 * id so parallel runs never collide; destroy() deletes everything, and namespaces
 * take their veth ends with them.
 */
export interface LabMember {
  netns: string;
  /** The bridge-side end of the member's veth, in the bridge namespace. */
  bridgePort: string;
  ipv4: string;
  ipv6: string;
  /** Changes when the member's interface is re-created (replug). */
  mac: string;
}

/** `<run id>` → the pid of the process that made that run's namespaces. */
const ownersDir = join(tmpdir(), 'portico-l2lab');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the namespaces of runs whose process is gone: a run killed by a
 * signal (SIGKILL, a test timeout) never reaches its exit hook.
 */
function sweepAbandonedRuns(): void {
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map(line => line.split(' ')[0])
    .filter(name => /^pl2-[0-9a-f]{6}-/.test(name));
  for (const name of names) {
    const runId = name.slice(4, 10);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(ownersDir, runId), 'utf8'));
    } catch {
      // No owner recorded: nobody is using it.
    }
    if (owner > 0 && alive(owner)) continue;
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    rmSync(join(ownersDir, runId), { force: true });
  }
}

export const VIP_PREFIX_V4 = '192.0.2.';
export const VIP_PREFIX_V6 = '2001:db8::';

export class L2Lab {
  readonly runId = randomBytes(3).toString('hex');
  readonly bridgeNetns = `pl2-${this.runId}-br`;
  readonly members = new Map<string, LabMember>();
  private readonly created: string[] = [];
  /** Last resort if the test process exits without destroy(): delete synchronously. */
  private readonly onExit = () => {
    for (const netns of this.created) {
      try {
        execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
  };

  constructor() {
    process.once('exit', this.onExit);
  }

  async exec(
    netns: string,
    command: string,
    args: string[],
    timeoutMs = 10_000,
  ) {
    return run('ip', ['netns', 'exec', netns, command, ...args], {
      timeout: timeoutMs,
    });
  }

  async ip(netns: string, args: string[]) {
    return run('ip', ['-n', netns, ...args], { timeout: 10_000 });
  }

  async createBridge(): Promise<void> {
    sweepAbandonedRuns();
    // Recorded before the first namespace exists, so no sweep takes it for abandoned.
    mkdirSync(ownersDir, { recursive: true });
    writeFileSync(join(ownersDir, this.runId), String(process.pid));
    await run('ip', ['netns', 'add', this.bridgeNetns]);
    this.created.push(this.bridgeNetns);
    await this.ip(this.bridgeNetns, ['link', 'add', 'br0', 'type', 'bridge']);
    // No STP forwarding delay: ports forward as soon as they come up.
    await this.ip(this.bridgeNetns, [
      'link',
      'set',
      'br0',
      'type',
      'bridge',
      'forward_delay',
      '0',
    ]);
    await this.ip(this.bridgeNetns, ['link', 'set', 'br0', 'up']);
  }

  /** Adds a namespace on the bridge with `192.0.2.<hostId>` and `2001:db8::<hostId>`. */
  async addMember(name: string, hostId: number): Promise<LabMember> {
    const netns = `pl2-${this.runId}-${name}`;
    const bridgePort = `p${this.runId}${this.members.size}`;
    await run('ip', ['netns', 'add', netns]);
    this.created.push(netns);
    const ipv4 = `${VIP_PREFIX_V4}${hostId}`;
    const ipv6 = `${VIP_PREFIX_V6}${hostId.toString(16)}`;
    await this.ip(netns, ['link', 'set', 'lo', 'up']);
    const mac = await this.plug(netns, bridgePort, ipv4, ipv6);
    const member = { netns, bridgePort, ipv4, ipv6, mac };
    this.members.set(name, member);
    return member;
  }

  /** A new veth pair between the member's `eth0` and the bridge, with its addresses; returns its MAC. */
  private async plug(
    netns: string,
    bridgePort: string,
    ipv4: string,
    ipv6: string,
  ): Promise<string> {
    const inner = `i${bridgePort.slice(1)}`;
    await run('ip', [
      'link',
      'add',
      inner,
      'netns',
      netns,
      'type',
      'veth',
      'peer',
      'name',
      bridgePort,
      'netns',
      this.bridgeNetns,
    ]);
    await this.ip(netns, ['link', 'set', inner, 'name', 'eth0']);
    await this.ip(this.bridgeNetns, [
      'link',
      'set',
      bridgePort,
      'master',
      'br0',
    ]);
    await this.ip(this.bridgeNetns, ['link', 'set', bridgePort, 'up']);
    await this.ip(netns, ['addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
    await this.ip(netns, [
      '-6',
      'addr',
      'add',
      `${ipv6}/64`,
      'dev',
      'eth0',
      'nodad',
    ]);
    await this.ip(netns, ['link', 'set', 'eth0', 'up']);
    const { stdout } = await this.ip(netns, ['-j', 'link', 'show', 'eth0']);
    return JSON.parse(stdout)[0].address as string;
  }

  /** Deletes the member's `eth0` (its veth pair goes with it). */
  async unplug(name: string): Promise<void> {
    await this.ip(this.member(name).netns, ['link', 'del', 'eth0']);
  }

  /** Plugs a new `eth0` (a new ifindex and MAC) in after unplug(); returns the new MAC. */
  async replug(name: string): Promise<string> {
    const member = this.member(name);
    member.mac = await this.plug(
      member.netns,
      member.bridgePort,
      member.ipv4,
      member.ipv6,
    );
    return member.mac;
  }

  member(name: string): LabMember {
    const member = this.members.get(name);
    if (!member) {
      throw new Error(`no lab member ${name}`);
    }
    return member;
  }

  /** The client's neighbor entry for `address`: MAC and state, if any. */
  async neighbor(
    client: string,
    address: string,
  ): Promise<{ lladdr?: string; state: string[] } | undefined> {
    const { stdout } = await this.ip(this.member(client).netns, [
      '-j',
      'neigh',
      'show',
      address,
      'dev',
      'eth0',
    ]);
    const entries = JSON.parse(stdout || '[]') as Array<{
      lladdr?: string;
      state: string[];
    }>;
    return entries[0];
  }

  /** Cuts a member's cable (carrier goes down on its side) or plugs it back. */
  async setCable(name: string, up: boolean): Promise<void> {
    await this.ip(this.bridgeNetns, [
      'link',
      'set',
      this.member(name).bridgePort,
      up ? 'up' : 'down',
    ]);
  }

  /** Detaches a member from the bridge with its link still up, or attaches it again. */
  async setAttached(name: string, attached: boolean): Promise<void> {
    const port = this.member(name).bridgePort;
    await this.ip(
      this.bridgeNetns,
      attached
        ? ['link', 'set', port, 'master', 'br0']
        : ['link', 'set', port, 'nomaster'],
    );
  }

  async destroy(): Promise<void> {
    for (const netns of this.created.reverse()) {
      await run('ip', ['netns', 'del', netns]).catch(() => {});
    }
    this.created.length = 0;
    rmSync(join(ownersDir, this.runId), { force: true });
    process.off('exit', this.onExit);
  }
}
