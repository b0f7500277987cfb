import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import type { ClusterReconciler } from './ClusterReconciler';

/**
 * `GET /clusters`: each cluster's reachability and last sync, Services without a
 * grant (unmanaged), drift, and each exposure's live state.
 */
export function createClusterRouter(options: {
  reconciler: ClusterReconciler;
  httpAuth: HttpAuthService;
}): express.Router {
  const router = Router();
  router.get('/clusters', async (req, res) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(options.reconciler.view());
  });
  return router;
}
