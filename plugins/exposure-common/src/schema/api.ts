import { z } from 'zod';
import { canonicalAddress } from '../ip/ipRange';
import {
  columnLimits,
  dnsLabelSchema,
  groupRefSchema,
  intentSchema,
  ipAddressSchema,
  nameSchema,
  portNumberSchema,
  protocolSchema,
  textSchema,
} from './common';

export const exposureKinds = ['direct', 'ingress', 'gateway'] as const;

/** A named container port (Kubernetes IANA_SVC_NAME: 1–15 characters, a letter among them). */
export const portNameSchema = z
  .string()
  .max(15)
  .regex(
    /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a port name such as https (a-z, 0-9, "-", at most 15)',
  )
  .refine(name => !name.includes('--'), 'must not contain "--"');

/** A Service port as Kubernetes has it: what clients reach, and where it goes. */
export const servicePortSchema = z
  .object({
    port: portNumberSchema,
    protocol: protocolSchema.default('TCP'),
    /** The Pod's port, by number or by the container port's name. */
    targetPort: z.union([portNumberSchema, portNameSchema]).optional(),
    /** The Service port's name (required by Kubernetes when there are several). */
    name: dnsLabelSchema.optional(),
  })
  .strict();
export type ServicePort = z.infer<typeof servicePortSchema>;

/** A catalog entity ref such as `component:default/edge-api`. */
export const entityRefSchema = textSchema(columnLimits.ref).pipe(
  z
    .string()
    .min(1)
    .regex(
      /^[a-z]+:([^/:]+\/)?[^/:]+$/i,
      'must be an entity ref such as component:default/edge-api',
    ),
);

/** Body of `POST /requests`. */
export const createRequestBodySchema = z
  .object({
    entityRef: entityRefSchema,
    owner: groupRefSchema,
    cluster: dnsLabelSchema,
    namespace: dnsLabelSchema,
    serviceName: dnsLabelSchema,
    ports: z
      .array(servicePortSchema)
      .min(1, 'at least one port')
      .max(64)
      .refine(
        ports =>
          new Set(ports.map(p => `${p.protocol ?? 'TCP'}/${p.port}`)).size ===
          ports.length,
        'lists the same port twice',
      ),
    pool: nameSchema.optional(),
    intent: intentSchema.optional(),
    address: ipAddressSchema.optional(),
    exposureKind: z.enum(exposureKinds).default('direct'),
    justification: textSchema(columnLimits.text).default(''),
    expiresAt: z
      .string()
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
      .refine(
        text => new Date(text).getUTCFullYear() <= 9999,
        'must be before the year 10000 in UTC',
      )
      .optional(),
    /** The active request this one changes; it takes over when it becomes active. */
    replaces: z.string().uuid('must be a request id (UUID)').optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine(b => b.pool !== undefined || b.intent !== undefined, {
    message: 'give a pool or an intent',
    path: ['pool'],
  });
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;

/** The `Idempotency-Key` header of `POST /requests`. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(columnLimits.ref)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Body of approve / reject / release. */
export const decisionBodySchema = z
  .object({ comment: textSchema(columnLimits.text).default('') })
  .strict();
export type DecisionBody = z.infer<typeof decisionBodySchema>;

export const requestStates = [
  'pending',
  'approved',
  'rejected',
  'active',
  'released',
  'expired',
] as const;
export const requestStateSchema = z.enum(requestStates);
export type RequestState = z.infer<typeof requestStateSchema>;

/** Query of `GET /requests`. */
export const listRequestsQuerySchema = z
  .object({
    state: requestStateSchema.optional(),
    owner: groupRefSchema.optional(),
    pool: nameSchema.optional(),
    entityRef: textSchema(columnLimits.ref).optional(),
  })
  .strict();

/** Most addresses one `GET /allocations?address=` asks for. */
export const MAX_ADDRESSES_PER_QUERY = 200;

/** Query of `GET /allocations`; `address` is a comma-separated list. */
export const listAllocationsQuerySchema = z
  .object({
    pool: nameSchema.optional(),
    segment: nameSchema.optional(),
    owner: groupRefSchema.optional(),
    address: z
      .string()
      .max(MAX_ADDRESSES_PER_QUERY * 40)
      .transform(list => list.split(','))
      .pipe(
        z
          .array(ipAddressSchema.transform(canonicalAddress))
          .min(1)
          .max(MAX_ADDRESSES_PER_QUERY),
      )
      .optional(),
  })
  .strict();

/** Query of `GET /audit`. */
export const auditQuerySchema = z
  .object({
    subjectId: textSchema(columnLimits.ref).optional(),
    actor: textSchema(columnLimits.ref).optional(),
    action: textSchema(columnLimits.action).optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** Query of `GET /export/pools`. */
export const exportQuerySchema = z
  .object({ format: z.enum(['json', 'csv']).default('json') })
  .strict();
