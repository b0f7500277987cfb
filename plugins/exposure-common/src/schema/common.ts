import { z } from 'zod';
import { IpParseError, parseAddress, parseRange } from '../ip/ipRange';

/** The four pool intents; a pool is of exactly one. */
export const intents = [
  'production-external',
  'internal',
  'temporary',
  'management',
] as const;
export const intentSchema = z.enum(intents);
export type Intent = z.infer<typeof intentSchema>;

export const protocols = ['TCP', 'UDP', 'SCTP'] as const;
export const protocolSchema = z.enum(protocols);
export type Protocol = z.infer<typeof protocolSchema>;

/** A Kubernetes object name (RFC 1123 label, as Services and namespaces use). */
export const dnsLabelSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a lowercase RFC 1123 label (a-z, 0-9, "-")',
  );

export const nameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be lowercase letters, digits and "-"',
  );

export const portNumberSchema = z
  .number({ invalid_type_error: 'must be a port number' })
  .int('must be an integer port')
  .min(1, 'must be a port between 1 and 65535')
  .max(65535, 'must be a port between 1 and 65535');

function ipRefinement(parse: (text: string) => unknown) {
  return (text: string, ctx: z.RefinementCtx) => {
    try {
      parse(text);
    } catch (error) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: error instanceof IpParseError ? error.message : String(error),
      });
    }
  };
}

/** One IP address, v4 or v6. */
export const ipAddressSchema = z
  .string()
  .superRefine(ipRefinement(parseAddress));

/** A range `a-b`, a CIDR, or a single address. */
export const ipRangeSchema = z.string().superRefine(ipRefinement(parseRange));

/** A CIDR (prefix) only. */
export const cidrSchema = z.string().superRefine((text, ctx) => {
  if (!text.includes('/')) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must be a CIDR such as 10.0.0.0/24',
    });
    return;
  }
  ipRefinement(parseRange)(text, ctx);
});

/**
 * Column widths of the exposure tables: every string the API stores is
 * checked against these before it reaches the database, so PostgreSQL's
 * `varchar(255)` never answers a 500 for what SQLite would have kept.
 */
export const columnLimits = {
  ref: 255,
  text: 2000,
  action: 64,
} as const;

/**
 * Free text as the API accepts it: at most `max` characters and no NUL, which
 * PostgreSQL's text types cannot hold (`invalid byte sequence ... 0x00`).
 */
export function textSchema(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine(
      text => !text.includes('\u0000'),
      'must not contain a NUL character',
    );
}

/** A catalog group ref; `team-a` is read as `group:default/team-a`. */
export const groupRefSchema = z
  .string()
  .min(1)
  .max(columnLimits.ref, `must be at most ${columnLimits.ref} characters`)
  .regex(
    /^(group:)?([a-z0-9][-a-z0-9_.]*\/)?[A-Za-z0-9][-A-Za-z0-9_.]*$/,
    'must be a group entity ref such as group:default/team-a',
  )
  .transform(normalizeGroupRef);

/**
 * Completes a group reference to its full `group:namespace/name` form, the form
 * in which Backstage lists a user's ownership refs.
 */
export function normalizeGroupRef(ref: string): string {
  let rest = ref.trim();
  if (rest.toLowerCase().startsWith('group:')) rest = rest.slice(6);
  const [namespace, name] = rest.includes('/')
    ? rest.split('/', 2)
    : ['default', rest];
  return `group:${namespace}/${name}`.toLowerCase();
}
