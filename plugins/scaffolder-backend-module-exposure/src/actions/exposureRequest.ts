import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import {
  intents,
  protocols,
  type ExposureRequest,
  type GuardrailReason,
} from '@portico/plugin-exposure-common';
import { ExposureApiClient, ExposureApiError } from './exposureApiClient';
import { examples } from './exposureRequest.examples';

export const EXPOSURE_REQUEST_ACTION_ID = 'exposure:request';

export interface ExposureRequestActionOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Finds the component's owner when the template gives none. */
  catalog?: CatalogService;
  /** The frontend's base URL (`app.baseUrl`), for the link to the request page. */
  appBaseUrl?: string;
}

/**
 * Where a request shows in the portal: the Exposure tab of its entity (the
 * exposure frontend plugin's entity content at `exposure`), which lists the
 * entity's requests with state, address and reasons.
 */
export function requestPageLink(
  appBaseUrl: string,
  entityRef: string,
  id: string,
): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const path = [namespace, kind.toLowerCase(), name]
    .map(encodeURIComponent)
    .join('/');
  return `${appBaseUrl.replace(
    /\/+$/,
    '',
  )}/catalog/${path}/exposure?request=${encodeURIComponent(id)}`;
}

function describeReasons(reasons: GuardrailReason[]): string {
  return reasons.map(r => `${r.message} [${r.code}]`).join('; ');
}

/**
 * `exposure:request`: asks Portico to expose a Kubernetes Service, on behalf
 * of the user who runs the template, and reports the request's state and
 * address. A denied request fails the step with the guardrail reasons.
 */
export function createExposureRequestAction(
  options: ExposureRequestActionOptions,
) {
  const client = new ExposureApiClient(options.discovery, options.auth);

  async function ownerOf(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    if (!options.catalog) {
      throw new InputError(
        'owner: not given, and no catalog to look up the owner of the entity',
      );
    }
    const entity = await options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    const owner = entity?.spec?.owner;
    if (typeof owner !== 'string' || owner.length === 0) {
      throw new InputError(
        `owner: not given, and ${entityRef} ${
          entity ? 'has no spec.owner' : 'is not in the catalog'
        }`,
      );
    }
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity?.metadata.namespace ?? 'default',
      }),
    );
  }

  return createTemplateAction({
    id: EXPOSURE_REQUEST_ACTION_ID,
    description:
      'Requests an exposure (a VIP from a Portico pool) for a Kubernetes Service. ' +
      'An allowed request is active at once with its address; one that needs ' +
      'approval is left pending; a denied one fails with the guardrail reasons.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The catalog entity the Service belongs to, e.g. component:default/edge-api',
            ),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              "The owning group, e.g. group:default/team-payments; defaults to the entity's owner",
            ),
        cluster: z => z.string().min(1).describe('The Kubernetes cluster'),
        namespace: z => z.string().min(1).describe("The Service's namespace"),
        service: z => z.string().min(1).describe("The Service's name"),
        ports: z =>
          z
            .array(
              z.object({
                port: z.number().int().min(1).max(65535),
                protocol: z.enum(protocols).default('TCP'),
                targetPort: z
                  .union([z.number().int().min(1).max(65535), z.string()])
                  .optional()
                  .describe("The Pod's port, by number or container port name"),
                name: z.string().optional().describe("The Service port's name"),
              }),
            )
            .min(1)
            .describe('The ports to expose'),
        intent: z =>
          z
            .enum(intents)
            .describe('What the exposure is for; Portico picks the pool'),
        pool: z =>
          z
            .string()
            .optional()
            .describe(
              'A specific pool of that intent, instead of letting Portico pick',
            ),
        lifetimeHours: z =>
          z
            .number()
            .positive()
            .optional()
            .describe(
              'How long the exposure lives, in hours (required by temporary pools)',
            ),
        justification: z =>
          z
            .string()
            .max(2000)
            .optional()
            .describe('Why the service needs this exposure'),
        exposureKind: z =>
          z
            .enum(['direct', 'ingress', 'gateway'])
            .optional()
            .describe(
              'direct (a LoadBalancer Service) or behind an ingress / gateway',
            ),
      },
      output: {
        requestId: z =>
          z
            .string()
            .optional()
            .describe('The request id (absent in a dry run)'),
        state: z =>
          z
            .string()
            .describe(
              'active, pending (waiting for approval), or the verdict of a dry run',
            ),
        pool: z => z.string().describe('The pool the address comes from'),
        address: z =>
          z
            .string()
            .optional()
            .describe('The allocated address, when allocated at once'),
        link: z =>
          z.string().optional().describe("The request's page in Portico"),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const credentials = await ctx.getInitiatorCredentials();
      const owner =
        input.owner ?? (await ownerOf(input.entityRef, credentials));
      const body = {
        entityRef: input.entityRef,
        owner,
        cluster: input.cluster,
        namespace: input.namespace,
        serviceName: input.service,
        // The scaffolder checks input against the JSON schema, which does not
        // fill zod defaults in: a port without a protocol is TCP.
        ports: input.ports.map(p => ({
          port: p.port,
          protocol: p.protocol ?? 'TCP',
          ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
          ...(p.name ? { name: p.name } : {}),
        })),
        intent: input.intent,
        ...(input.pool ? { pool: input.pool } : {}),
        exposureKind: input.exposureKind ?? 'direct',
        justification: input.justification ?? '',
      };
      const expiresAt = (now: Date) =>
        input.lifetimeHours === undefined
          ? {}
          : {
              expiresAt: new Date(
                now.getTime() + input.lifetimeHours * 3600_000,
              ).toISOString(),
            };

      if (ctx.isDryRun) {
        const result = await client.dryRun(
          { ...body, ...expiresAt(new Date()) },
          credentials,
          ctx.signal,
        );
        if (result.verdict === 'deny') {
          throw new Error(
            `The exposure request would be denied: ${describeReasons(
              result.reasons,
            )}`,
          );
        }
        const why = result.reasons.length
          ? ` (${describeReasons(result.reasons)})`
          : '';
        ctx.logger.info(
          `Dry run: pool ${result.pool}, verdict ${result.verdict}${why}`,
        );
        ctx.output('state', result.verdict);
        ctx.output('pool', result.pool);
        return;
      }

      // The checkpoint stores the created request in the task: a task resumed
      // after a crash gets it back instead of asking a second time.
      // The Idempotency-Key covers the gap the checkpoint leaves: a request
      // committed while this task saw an error is returned, not made twice.
      const service = `${input.cluster}/${input.namespace}/${input.service}`;
      const request = (await ctx.checkpoint({
        key: `exposure.request.${input.cluster}.${input.namespace}.${input.service}`,
        fn: async () => {
          try {
            const created = await client.createRequest(
              { ...body, ...expiresAt(new Date()) },
              credentials,
              {
                signal: ctx.signal,
                idempotencyKey: `scaffolder:${ctx.task.id}:${service}`,
              },
            );
            // A response body parsed from JSON is JSON.
            return created as unknown as JsonObject;
          } catch (error) {
            if (error instanceof ExposureApiError && error.isDenial) {
              throw new Error(
                `The exposure request was denied: ${error.message}`,
              );
            }
            throw error;
          }
        },
      })) as unknown as ExposureRequest;

      ctx.output('requestId', request.id);
      ctx.output('state', request.state);
      ctx.output('pool', request.pool);
      if (request.address) {
        ctx.output('address', request.address);
      }
      if (options.appBaseUrl) {
        ctx.output(
          'link',
          requestPageLink(options.appBaseUrl, request.entityRef, request.id),
        );
      }
      if (request.state === 'pending') {
        ctx.logger.info(
          `Request ${
            request.id
          } waits for approval by the platform team: ${describeReasons(
            request.reasons,
          )}`,
        );
      } else {
        ctx.logger.info(
          `Request ${request.id} is ${request.state}${
            request.address ? ` with address ${request.address}` : ''
          } from pool ${request.pool}`,
        );
      }
    },
  });
}
