import { setMaxListeners } from 'node:events';
import { KubeConfig } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AgentConfig, ConfigError, loadConfig, usage } from './config';
import { systemClock } from './kube/clock';
import { createLogger, Logger } from './logging';
import { startHealthServer } from './server/healthServer';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 20_000;

export function loadKubeConfig(config: AgentConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) {
    kc.loadFromFile(config.kubeconfig);
  } else {
    // In a Pod: the service account; elsewhere ~/.kube/config.
    kc.loadFromDefault();
  }
  return kc;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  let config: AgentConfig;
  try {
    config = loadConfig(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`portico-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger: Logger = createLogger({
    level: config.logLevel,
    fields: { identity: config.identity },
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const abort = new AbortController();
  // Every informer, sleeper and session listens for shutdown on this one signal.
  setMaxListeners(200, abort.signal);

  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig(config);
  } catch (error) {
    logger.error('cannot load a kubeconfig', {
      error: String(error?.message ?? error),
    });
    return 2;
  }
  const ctx = { kubeConfig, logger, registry, clock: systemClock };
  // Each role loads only its own modules: the controller never opens raw sockets.
  const role =
    config.role === 'controller'
      ? await (
          await import('./controller/runController')
        ).runController(config, ctx, abort.signal)
      : await (
          await import('./speaker/runSpeaker')
        ).runSpeaker(config, ctx, abort.signal);

  const server = await startHealthServer({
    host: config.listen.host,
    port: config.listen.port,
    checks: role.health,
    registry,
  });
  logger.info('portico-agent started', {
    role: config.role,
    mode: config.mode,
    health: server.url,
  });

  let exitCode = 0;
  const shutdown = (signal: string) => {
    if (abort.signal.aborted) return;
    logger.info('shutting down', { signal });
    abort.abort();
    setTimeout(() => {
      logger.error('shutdown took too long; exiting', {
        graceMs: SHUTDOWN_GRACE_MS,
      });
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await role.done;
  } catch (error) {
    logger.error('role failed', { error: String(error?.message ?? error) });
    exitCode = 1;
  }
  await server.close();
  logger.info('portico-agent stopped');
  return exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => process.exit(code),
    error => {
      process.stderr.write(`portico-agent: ${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
