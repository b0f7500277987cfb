import { execFile } from 'child_process';
import { writeFile } from 'fs/promises';
import { promisify } from 'util';
import { parseAddress } from '../codec/ip';

const run = promisify(execFile);

/**
 * Puts owned VIPs on a dummy interface (or `lo` where the kernel lacks `dummy`) so the owner's kernel accepts traffic for
 * them, while the kernel never answers ARP/NDP for them on the announcing
 * interfaces: IPv4 `arp_ignore=1` answers only for addresses on the receiving
 * interface and `arp_announce=2` keeps the VIP out of the kernel's own requests
 * (the settings MetalLB documents for kube-proxy's IPVS mode); IPv6 neighbor
 * discovery only answers for addresses on the receiving interface anyway.
 * Clusters where kube-proxy already accepts the VIP (iptables/IPVS modes) leave
 * this off. iproute2 is the interface to netlink here: Node has no netlink socket.
 */
export class KernelAddresses {
  constructor(private readonly dummyInterface: string) {}

  async prepare(announceInterfaces: string[]): Promise<void> {
    if (this.dummyInterface !== 'lo') {
      try {
        await run('ip', ['link', 'add', this.dummyInterface, 'type', 'dummy']);
      } catch (error) {
        if (
          !String((error as { stderr?: string }).stderr).includes('File exists')
        ) {
          throw new Error(
            `cannot create dummy interface ${this.dummyInterface} (kernel without the ` +
              `dummy module? use "lo" instead): ${(error as Error).message}`,
          );
        }
      }
      await run('ip', ['link', 'set', this.dummyInterface, 'up']);
      // Addresses left by a previous run that died: this run owns nothing yet. (On
      // `lo` nothing is flushed: it holds addresses that are not ours.)
      await run('ip', ['addr', 'flush', 'dev', this.dummyInterface]);
    }
    for (const name of ['all', ...announceInterfaces]) {
      await writeFile(`/proc/sys/net/ipv4/conf/${name}/arp_ignore`, '1');
      await writeFile(`/proc/sys/net/ipv4/conf/${name}/arp_announce`, '2');
    }
  }

  async add(address: string): Promise<void> {
    await this.change('add', address);
  }

  async remove(address: string): Promise<void> {
    await this.change('del', address);
  }

  /** Per address, the last queued change: a release never overtakes its claim. */
  private readonly queues = new Map<string, Promise<void>>();

  private change(verb: 'add' | 'del', address: string): Promise<void> {
    const previous = this.queues.get(address) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.apply(verb, address));
    this.queues.set(address, next);
    const forget = () => {
      if (this.queues.get(address) === next) {
        this.queues.delete(address);
      }
    };
    next.then(forget, forget);
    return next;
  }

  private async apply(verb: 'add' | 'del', address: string): Promise<void> {
    const parsed = parseAddress(address);
    if (!parsed) {
      return;
    }
    const args =
      parsed.family === 4
        ? ['addr', verb, `${parsed.address}/32`, 'dev', this.dummyInterface]
        : [
            '-6',
            'addr',
            verb,
            `${parsed.address}/128`,
            'dev',
            this.dummyInterface,
          ];
    if (verb === 'add' && parsed.family === 6) {
      args.push('nodad');
    }
    try {
      await run('ip', args);
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr);
      // Already there (add) or already gone (del): the desired state holds.
      if (!/File exists|Cannot assign requested address/.test(stderr)) {
        throw error;
      }
    }
  }
}
