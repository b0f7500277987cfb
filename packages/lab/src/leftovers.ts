import { readdir, readFile } from 'node:fs/promises';

/**
 * A process the lab started in the root namespace (the API server, etcd, the
 * controller, the portal), identified by its pid and its start time, so that a
 * pid the kernel has given to another process since is never signalled.
 * Processes inside the lab's network namespaces need none of this: deleting the
 * namespaces kills them (network.ts).
 */
export interface LabProcess {
  pid: number;
  /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
  startTime: string;
  /** Whether it leads its own process group (then the whole group goes). */
  groupLeader: boolean;
}

/** /proc/PID/stat as [ppid, pgid, starttime]; undefined once the process is gone. */
async function stat(
  pid: number,
): Promise<[number, number, string] | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(
    () => undefined,
  );
  if (!text) return undefined;
  // The command name, in parentheses, may hold spaces: fields start after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[1]), Number(fields[2]), fields[19]];
}

/** A process's start time (field 22 of /proc/PID/stat), undefined once it is gone. */
export async function startTimeOf(pid: number): Promise<string | undefined> {
  return (await stat(pid))?.[2];
}

/** The direct children of this process, as they are now. */
export async function childProcesses(): Promise<LabProcess[]> {
  const children: LabProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = await stat(pid);
    if (s && s[0] === process.pid) {
      children.push({ pid, startTime: s[2], groupLeader: s[1] === pid });
    }
  }
  return children;
}

/** SIGKILLs each recorded process that still runs (same pid, same start time); returns their pids. */
export async function killLeftovers(
  processes: LabProcess[],
): Promise<number[]> {
  const killed: number[] = [];
  for (const p of processes) {
    const s = await stat(p.pid);
    if (!s || s[2] !== p.startTime) continue;
    try {
      process.kill(p.groupLeader ? -p.pid : p.pid, 'SIGKILL');
      killed.push(p.pid);
    } catch {
      // gone in the meantime
    }
  }
  return killed;
}
