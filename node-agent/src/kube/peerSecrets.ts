import type { V1Secret } from '@kubernetes/client-node';
import { z } from 'zod';
import { tcpMd5KeyProblem } from '../bgp/fsm/sockaddr';
import { namespacedKey } from './objectRef';

/** The only Secret type MetalLB accepts for a BGPPeer's `passwordSecret`. */
export const BASIC_AUTH = 'kubernetes.io/basic-auth';

/**
 * What the cache keeps of a Secret: its name and type, and for basic-auth Secrets
 * the `password` key alone. Other keys and other Secrets' data never stay in memory.
 */
export function trimSecret(secret: V1Secret): V1Secret {
  const { name, namespace, uid, resourceVersion } = secret.metadata ?? {};
  const password =
    secret.type === BASIC_AUTH ? secret.data?.password : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, uid, resourceVersion },
    type: secret.type,
    ...(password === undefined ? {} : { data: { password } }),
  };
}

const secretShape = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
  type: z.string().optional(),
  data: z.record(z.string()).optional(),
});

interface SecretInfo {
  type: string;
  /** Base64, as the API server sends it. */
  password?: string;
}

export type SecretIndex = Map<string, SecretInfo>;

export function indexSecrets(raw: readonly unknown[]): SecretIndex {
  const index: SecretIndex = new Map();
  for (const obj of raw) {
    const parsed = secretShape.safeParse(obj);
    if (!parsed.success) continue;
    const { metadata, type, data } = parsed.data;
    index.set(namespacedKey(metadata.namespace, metadata.name), {
      type: type ?? 'Opaque',
      password: data?.password,
    });
  }
  return index;
}

export interface PasswordFields {
  password?: string;
  passwordSecret?: { name?: string; namespace?: string };
}

/**
 * A BGPPeer's TCP-MD5 password, from `password` or from the Secret `passwordSecret`
 * names, with MetalLB's rules: not both, a `kubernetes.io/basic-auth` Secret, its
 * `password` key. Secrets are read only in the peer's own (the MetalLB) namespace.
 */
export function resolvePeerPassword(
  spec: PasswordFields,
  peerNamespace: string | undefined,
  secrets: SecretIndex,
): { password?: string } | { error: string } {
  const ref = spec.passwordSecret;
  // `passwordSecret: {}` is how Go clients write an unset reference (MetalLB's
  // field is a struct, which omitempty keeps): no Secret.
  if (!ref?.name && !ref?.namespace) return checkLength(spec.password);
  if (!ref.name) {
    return { error: 'passwordSecret has a namespace but no name' };
  }
  if (spec.password) {
    return {
      error: 'password and passwordSecret are both set; set only one',
    };
  }
  const namespace = ref.namespace || peerNamespace;
  const where = namespacedKey(namespace, ref.name);
  if (namespace !== peerNamespace) {
    return {
      error: `passwordSecret ${where}: only Secrets in the MetalLB namespace ${peerNamespace} are read`,
    };
  }
  const secret = secrets.get(where);
  if (!secret) return { error: `passwordSecret: Secret ${where} not found` };
  if (secret.type !== BASIC_AUTH) {
    return {
      error: `passwordSecret: Secret ${where} is of type ${secret.type}, not ${BASIC_AUTH}`,
    };
  }
  if (secret.password === undefined) {
    return {
      error: `passwordSecret: Secret ${where} has no "password" key`,
    };
  }
  const bytes = Buffer.from(secret.password, 'base64');
  const password = bytes.toString('utf8');
  if (!Buffer.from(password, 'utf8').equals(bytes)) {
    return {
      error: `passwordSecret: the "password" of Secret ${where} is not UTF-8 text`,
    };
  }
  return checkLength(password);
}

function checkLength(
  password: string | undefined,
): { password?: string } | { error: string } {
  const problem =
    password === undefined ? undefined : tcpMd5KeyProblem(password);
  return problem ? { error: problem } : { password };
}
