import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  exposurePoolManagePermission,
  type AdoptionRequestBody,
} from '@portico/plugin-exposure-common';
import type { ExposureAllocationSource } from '@portico/plugin-exposure-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { AdoptionService } from '../adoption/AdoptionService';
import type { ClusterReconciler } from './ClusterReconciler';

const adoptionBody = z
  .object({
    dryRun: z.boolean().default(true),
    token: z.string().min(1).optional(),
  })
  .strict()
  .refine(b => b.dryRun || b.token, {
    message: 'a confirmation (dryRun: false) sends the token of its dry run',
  });

/**
 * `GET /clusters`: each cluster's reachability and last sync, Services without a
 * grant (unmanaged), drift, and each exposure's live state.
 * `POST /clusters/:cluster/adoption`: adoption of a cluster already running
 * MetalLB, a dry run unless `{ dryRun: false, token }` confirms one (platform
 * admins: `exposure.pool.manage`).
 */
export function createClusterRouter(options: {
  reconciler: ClusterReconciler;
  httpAuth: HttpAuthService;
  permissions?: PermissionsService;
  adoption?: AdoptionService;
  source?: () => ExposureAllocationSource | undefined;
}): express.Router {
  const router = Router();
  router.get('/clusters', async (req, res) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(options.reconciler.view());
  });
  router.post(
    '/clusters/:cluster/adoption',
    express.json({ limit: '16kb' }),
    async (req, res) => {
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const [decision] = (await options.permissions?.authorize(
        [{ permission: exposurePoolManagePermission }],
        { credentials },
      )) ?? [{ result: AuthorizeResult.DENY }];
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `you lack the permission ${exposurePoolManagePermission.name}`,
        );
      }
      const parsed = adoptionBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new InputError(
          parsed.error.issues.map(i => i.message).join('; '),
        );
      }
      const body: AdoptionRequestBody = parsed.data;
      const source = options.source?.();
      if (!options.adoption || !source) {
        throw new Error('the exposure plugin is not ready yet');
      }
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
        subject?: string;
      };
      const actor =
        principal.userEntityRef ?? principal.subject ?? 'service:unknown';
      res.json(
        body.dryRun
          ? await options.adoption.dryRun(req.params.cluster, source)
          : await options.adoption.confirm(
              req.params.cluster,
              body.token!,
              actor,
              source,
            ),
      );
    },
  );
  return router;
}
