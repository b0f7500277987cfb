import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { PorticoPermissionPolicy } from './permissionPolicy';

/** Installs Portico's permission policy into the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portico-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(PorticoPermissionPolicy.fromConfig(config));
      },
    });
  },
});
