import type {
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  auditQuerySchema,
  createRequestBodySchema,
  decisionBodySchema,
  exportQuerySchema,
  exposureAuditReadPermission,
  exposurePoolManagePermission,
  exposureReadPermission,
  exposureReleaseAnyPermission,
  exposureRequestApprovePermission,
  exposureRequestCreatePermission,
  idempotencyKeySchema,
  listAllocationsQuerySchema,
  listRequestsQuerySchema,
} from '@portico/plugin-exposure-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { assertExposableEntity } from './entityGovernance';
import { ExposureService } from './ExposureService';
import { poolExportRows, toCsv } from './exportPools';
import { parseInput } from './validate';

export interface RouterOptions {
  service: ExposureService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  catalog: CatalogService;
}

/** Largest JSON body accepted; a request is a few hundred bytes. */
const BODY_LIMIT = '64kb';

/** Turns body-parser failures (bad JSON, too large) into 400s. */
const bodyErrors: ErrorRequestHandler = (error, _req, _res, next) => {
  if (typeof error?.type === 'string' && error.type.startsWith('entity.')) {
    const reason =
      error.type === 'entity.too.large'
        ? `is larger than ${BODY_LIMIT}`
        : 'is not valid JSON';
    next(new InputError(`request body: ${reason}`));
    return;
  }
  next(error);
};

const idSchema = z
  .string()
  .regex(/^[0-9a-f-]{36}$/i, 'must be a request id (UUID)');

/** The `/api/exposure` REST API, as openapi.yaml describes it. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, userInfo, permissions, catalog } = options;
  const router = Router();
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(bodyErrors);

  async function user(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return {
      credentials,
      ref: credentials.principal.userEntityRef,
    };
  }

  async function allowed(
    req: Request,
    permission: BasicPermission,
  ): Promise<boolean> {
    // Reads are open to other backend plugins too (the catalog provider, the
    // scaffolder action); writes go through user() and need a person.
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function requireRead(req: Request, permission: BasicPermission) {
    if (!(await allowed(req, permission))) {
      throw new NotAllowedError(`you lack the permission ${permission.name}`);
    }
  }

  async function requirePermission(req: Request, permission: BasicPermission) {
    if (!(await allowed(req, permission))) {
      throw new NotAllowedError(`you lack the permission ${permission.name}`);
    }
    return user(req);
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/segments', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    res.json({ items: service.listSegments() });
  });

  router.get('/pools', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    res.json({ items: await service.listPools() });
  });

  router.get('/pools/:name', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    res.json(await service.getPool(req.params.name));
  });

  router.get('/export/pools', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    const { format } = parseInput(exportQuerySchema, req.query, 'query');
    const rows = poolExportRows(await service.listPools());
    if (format === 'csv') {
      res.type('text/csv').attachment('portico-pools.csv').send(toCsv(rows));
      return;
    }
    res.json({ items: rows });
  });

  router.post('/requests', async (req, res) => {
    const { credentials, ref } = await requirePermission(
      req,
      exposureRequestCreatePermission,
    );
    const body = parseInput(createRequestBodySchema, req.body, 'request body');
    const { ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
    // Platform admins act for any team; everyone else for their own
    // groups, and only for components those groups own.
    if (!(await allowed(req, exposurePoolManagePermission))) {
      if (!ownershipEntityRefs.includes(body.owner)) {
        throw new NotAllowedError(
          `owner: you are not a member of ${body.owner}`,
        );
      }
      await assertExposableEntity(catalog, body, credentials);
    }
    if (body.dryRun) {
      res.status(200).json({ dryRun: true, ...(await service.dryRun(body)) });
      return;
    }
    const header = req.header('Idempotency-Key');
    const idempotencyKey =
      header === undefined
        ? undefined
        : parseInput(idempotencyKeySchema, header, 'Idempotency-Key header');
    const { request, replayed } = await service.submitRequest(ref, body, {
      idempotencyKey,
    });
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(request);
  });

  router.get('/requests', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    const filter = parseInput(listRequestsQuerySchema, req.query, 'query');
    res.json({ items: await service.store.listRequests(filter) });
  });

  router.get('/requests/:id', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    const id = parseInput(idSchema, req.params.id, 'id');
    const request = await service.store.getRequest(id);
    if (!request) throw new NotFoundError(`no request with id ${id}`);
    res.json(request);
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/requests/:id/${decision}`, async (req, res) => {
      const { ref } = await requirePermission(
        req,
        exposureRequestApprovePermission,
      );
      const id = parseInput(idSchema, req.params.id, 'id');
      const { comment } = parseInput(
        decisionBodySchema,
        req.body,
        'request body',
      );
      res.json(await service[decision](ref, id, comment));
    });
  }

  router.post('/requests/:id/release', async (req, res) => {
    const { credentials, ref } = await requirePermission(
      req,
      exposureReadPermission,
    );
    const id = parseInput(idSchema, req.params.id, 'id');
    const { comment } = parseInput(
      decisionBodySchema,
      req.body,
      'request body',
    );
    const { ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
    const releaseAny = await allowed(req, exposureReleaseAnyPermission);
    res.json(
      await service.release(ref, id, comment, {
        ownershipRefs: ownershipEntityRefs,
        releaseAny,
      }),
    );
  });

  router.get('/allocations', async (req, res) => {
    await requireRead(req, exposureReadPermission);
    const { address, ...filter } = parseInput(
      listAllocationsQuerySchema,
      req.query,
      'query',
    );
    res.json({
      items: await service.store.listAllocations({
        ...filter,
        ...(address ? { addresses: address } : {}),
      }),
    });
  });

  router.get('/audit', async (req, res) => {
    await requireRead(req, exposureAuditReadPermission);
    const query = parseInput(auditQuerySchema, req.query, 'query');
    res.json({ items: await service.store.listAuditEvents(query) });
  });

  router.get('/audit/verify', async (req, res) => {
    await requireRead(req, exposureAuditReadPermission);
    res.json(await service.store.verifyAuditChain());
  });

  // Express fails to decode a path such as `/requests/%ZZ` before any route
  // runs; that is the caller's mistake, not a server error.
  router.use(((error, _req, _res, next) => {
    if (error instanceof URIError) {
      next(new InputError('path: is not valid percent-encoding'));
      return;
    }
    next(error);
  }) as ErrorRequestHandler);

  return router;
}
