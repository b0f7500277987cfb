/*
 * Portico's backend: Backstage's new backend system with the catalog, scaffolder,
 * permission and auth plugins, plus Portico's own plugins and modules.
 */
import { createBackend } from '@backstage/backend-defaults';
import { checkStartupConfig } from './startupConfig';

function startBackend() {
  const backend = createBackend();

  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(import('./demoUsersAuthModule'));

  // The event bus lets the catalog hear of exposure changes at once.
  backend.add(import('@backstage/plugin-events-backend'));

  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(
    import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  );
  backend.add(import('@portico/plugin-catalog-backend-module-exposure'));

  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(import('@portico/plugin-scaffolder-backend-module-exposure'));

  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(import('./permissionPolicyModule'));

  backend.add(import('@portico/plugin-exposure-backend'));
  backend.add(import('@portico/plugin-exposure-backend-module-kubernetes'));

  return backend.start();
}

function fail(error: Error): never {
  process.stderr.write(`Portico cannot start: ${error.message}\n`);
  process.exit(1);
}

// A plugin that fails to start stops the process instead of leaving it unready.
checkStartupConfig().then(() => startBackend().catch(fail), fail);
