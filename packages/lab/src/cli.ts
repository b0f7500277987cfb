/*
 * `npm run lab`: builds the lab, prints what it built and the portal URL, and runs
 * until Ctrl-C (which removes it all). `npm run lab -- --down` removes a lab left
 * running in another terminal, and any namespace a crashed run left behind.
 * `npm run lab -- as USER METHOD PATH [JSON]` calls the running lab's portal as a
 * demo user (alice, pat), e.g. to approve a request as the platform admin;
 * `npm run lab -- portal stop|start` stops or starts the running lab's portal.
 * Needs root (network namespaces); see packages/lab/README.md for the walkthrough.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Lab } from './Lab';
import { destroyNamespaces, listLabNamespaces } from './network';
import { describeLab } from './describeLab';
import {
  childProcesses,
  killLeftovers,
  LabProcess,
  startTimeOf,
} from './leftovers';
import { LAB_USERS, LabUser, PortalClient } from './portal/PortalClient';
import { LabSigningKey } from './portal/userTokens';
import { LAB_PREFIX, newRunId } from './topology';

const STATE_FILE = join(tmpdir(), 'portico-lab.json');
/** How @portico/test-cluster names its directories. */
const CLUSTER_DIR = 'portico-test-cluster-';

interface LabState {
  pid: number;
  /** The lab process's start time: a pid reused since is not the lab. */
  startTime?: string;
  runId: string;
  dir: string;
  backendUrl: string;
  /** What the lab runs in the root namespace, for `--down` after a crash. */
  processes: LabProcess[];
  /** The API server's and etcd's data, outside `dir`. */
  clusterDir?: string;
}

async function up(): Promise<void> {
  const runId = newRunId();
  const dir = join(tmpdir(), `portico-lab-${runId}`);
  console.log(
    `Building the Portico lab (run ${runId}); the portal takes a minute to compile...`,
  );
  const lab = await Lab.up({
    runId,
    dir,
    withApp: true,
    log: line => console.log(`  ${line}`),
  });
  const saveState = async () => {
    const state: LabState = {
      pid: process.pid,
      startTime: await startTimeOf(process.pid),
      runId,
      dir,
      backendUrl: lab.portal.backendUrl,
      processes: await childProcesses(),
      clusterDir: lab.cluster.dir,
    };
    await writeFile(STATE_FILE, JSON.stringify(state));
  };
  await saveState();
  console.log(`\n${describeLab(lab)}\n`);
  console.log(
    'Ctrl-C (or `npm run lab -- --down` elsewhere) removes everything.',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nRemoving the lab...');
    await lab.down();
    await rm(STATE_FILE, { force: true });
    console.log('Done: no namespace, process or file of the lab is left.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `npm run lab -- portal stop|start` (walkthrough step 5) signals this process.
  process.on('SIGUSR1', () => {
    console.log('Stopping the portal; the VIPs keep answering.');
    lab.portal.stop().then(() => console.log('The portal is stopped.'));
  });
  process.on('SIGUSR2', () => {
    console.log('Starting the portal again...');
    lab.startPortal().then(
      () => {
        console.log(`The portal is back: ${lab.portal.appUrl}`);
        return saveState();
      },
      error => console.error(`The portal did not start: ${error.message}`),
    );
  });
}

function readState(): Promise<LabState | undefined> {
  return readFile(STATE_FILE, 'utf8')
    .then(text => JSON.parse(text) as LabState)
    .catch(() => undefined);
}

async function callAs(args: string[]): Promise<void> {
  const [user, method, path, body] = args;
  if (!(user in LAB_USERS) || !method || !path?.startsWith('/')) {
    throw new Error(
      `usage: npm run lab -- as ${Object.keys(LAB_USERS).join(
        '|',
      )} METHOD /api/PATH [JSON]`,
    );
  }
  const state = await readState();
  if (!state || !(await isAlive(state))) throw new Error('no lab is running');
  const client = new PortalClient(
    state.backendUrl,
    await LabSigningKey.load(state.dir),
    user as LabUser,
  );
  const result = await client.call(
    method.toUpperCase(),
    path,
    body === undefined ? undefined : JSON.parse(body),
  );
  console.log(JSON.stringify(result, null, 2));
}

async function signalPortal(action: string | undefined): Promise<void> {
  if (action !== 'stop' && action !== 'start') {
    throw new Error('usage: npm run lab -- portal stop|start');
  }
  const state = await readState();
  if (!state || !(await isAlive(state))) throw new Error('no lab is running');
  process.kill(state.pid, action === 'stop' ? 'SIGUSR1' : 'SIGUSR2');
  console.log(
    `Asked the lab to ${action} the portal; its terminal says when it is done.`,
  );
}

async function down(): Promise<void> {
  const state = await readState();
  if (state && (await isAlive(state))) {
    console.log(`Stopping the lab of run ${state.runId} (pid ${state.pid})...`);
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while ((await isAlive(state)) && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 250));
    }
    if (await isAlive(state)) process.kill(state.pid, 'SIGKILL');
  }
  // A lab that crashed (or was killed) left its API server, etcd, controller and
  // portal running in the root namespace.
  const killed = await killLeftovers(state?.processes ?? []);
  if (killed.length > 0) {
    console.log(`Stopped processes the lab left: ${killed.join(', ')}`);
  }
  const leftovers = await listLabNamespaces(LAB_PREFIX);
  if (leftovers.length > 0) {
    console.log(`Deleting namespaces: ${leftovers.join(', ')}`);
    await destroyNamespaces(leftovers);
  }
  if (state) await rm(state.dir, { recursive: true, force: true });
  if (state?.clusterDir && basename(state.clusterDir).startsWith(CLUSTER_DIR)) {
    await rm(state.clusterDir, { recursive: true, force: true });
  }
  await rm(STATE_FILE, { force: true });
  console.log('The lab is gone.');
}

/** Whether the lab of `state` still runs: its pid, with the same start time. */
async function isAlive(state: LabState): Promise<boolean> {
  const startTime = await startTimeOf(state.pid);
  return startTime !== undefined && startTime === state.startTime;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 && !['as', 'portal'].includes(process.argv[2])) {
    throw new Error(
      'the lab builds network namespaces: run it as root (sudo npm run lab)',
    );
  }
  const args = process.argv.slice(2);
  if (args[0] === 'as') {
    await callAs(args.slice(1));
  } else if (args[0] === 'portal') {
    await signalPortal(args[1]);
  } else if (args.includes('--down')) {
    await down();
  } else {
    await up();
  }
}

main().catch(error => {
  console.error(`lab: ${(error as Error).message}`);
  process.exit(1);
});
