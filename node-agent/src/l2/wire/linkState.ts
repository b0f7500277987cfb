import { readFileSync } from 'fs';

/**
 * Whether the interface can carry frames: administratively up with carrier.
 * Read from sysfs of the agent's network namespace (cheap enough to poll at the
 * heartbeat interval; netlink is not reachable from Node without a native module).
 */
export function isLinkUp(interfaceName: string): boolean {
  try {
    const operstate = readFileSync(
      `/sys/class/net/${interfaceName}/operstate`,
      'utf8',
    ).trim();
    if (operstate === 'up') {
      return true;
    }
    if (operstate !== 'unknown') {
      return false;
    }
    // Some virtual devices report "unknown"; fall back to the carrier flag.
    return (
      readFileSync(`/sys/class/net/${interfaceName}/carrier`, 'utf8').trim() ===
      '1'
    );
  } catch {
    return false;
  }
}
