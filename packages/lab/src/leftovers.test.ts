import { spawn } from 'node:child_process';
import { childProcesses, killLeftovers, startTimeOf } from './leftovers';

describe('processes the lab leaves behind', () => {
  it('finds its children and kills the recorded ones only while pid and start time match', async () => {
    const children = [1, 2].map(() =>
      spawn('sleep', ['30'], { stdio: 'ignore' }),
    );
    const exited = children.map(
      c => new Promise(resolve => c.once('exit', resolve)),
    );
    try {
      const found = (await childProcesses()).filter(p =>
        children.some(c => c.pid === p.pid),
      );
      expect(found.map(p => p.pid).sort()).toEqual(
        children.map(c => c.pid).sort(),
      );
      expect(found.every(p => !p.groupLeader)).toBe(true);

      const [first, second] = found;
      // The second's pid as if the kernel had given it to another process since.
      const reused = {
        ...second,
        startTime: `${Number(second.startTime) - 1}`,
      };
      expect(await killLeftovers([first, reused])).toEqual([first.pid]);
      await exited[0];
      expect(await startTimeOf(first.pid)).toBeUndefined();
      expect(await startTimeOf(second.pid)).toBe(second.startTime);
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });
});
