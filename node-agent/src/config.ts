import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { z } from 'zod';
import { parseGoDuration } from './kube/duration';
import { DEFAULT_LOAD_BALANCER_CLASS } from './controller/serviceRequest';

/**
 * The agent's configuration: command-line flags, each with an environment
 * variable (`--lease-name` ⇔ `PORTICO_LEASE_NAME`); a flag wins over the
 * environment. Validated with zod so a bad value stops the agent at startup with
 * the name of the flag, the variable, and why.
 */

const duration = (flag: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseGoDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${text}" is not a positive duration like 15s or 1m`,
        path: [flag],
      });
      return z.NEVER;
    }
    return ms;
  });

const listen = z
  .string()
  .regex(/^(.*):(\d{1,5})$/, 'expected HOST:PORT, e.g. 0.0.0.0:7472 or :7472')
  .transform(text => {
    const i = text.lastIndexOf(':');
    const host = text.slice(0, i).replace(/^\[(.*)\]$/, '$1');
    return {
      host: host === '' ? '0.0.0.0' : host,
      port: Number(text.slice(i + 1)),
    };
  })
  .refine(l => l.port <= 65535, 'port must be at most 65535');

const options = {
  kubeconfig: {
    env: 'KUBECONFIG',
    help: 'kubeconfig file; in a Pod the service account is used when unset',
    schema: z.string().min(1).optional(),
  },
  namespace: {
    env: 'POD_NAMESPACE',
    help: "the agent's own namespace (Lease, Events about the agent)",
    schema: z.string().min(1).default('portico-system'),
  },
  'metallb-namespace': {
    env: 'PORTICO_METALLB_NAMESPACE',
    help: 'namespace holding IPAddressPool, L2Advertisement, BGPAdvertisement, BGPPeer',
    schema: z.string().min(1).default('metallb-system'),
  },
  mode: {
    env: 'PORTICO_MODE',
    help: 'enforce: addresses only through ExposureGrants; audit: assign like MetalLB and report',
    schema: z.enum(['enforce', 'audit']).default('enforce'),
  },
  'enforce-grace': {
    env: 'PORTICO_ENFORCE_GRACE',
    help: 'enforce: an address in use without a grant when enforce began keeps working this long (with a Warning Event), then is removed',
    schema: duration('enforce-grace').default('168h'),
  },
  'load-balancer-class': {
    env: 'PORTICO_LOAD_BALANCER_CLASS',
    help: 'spec.loadBalancerClass served besides Services without a class',
    schema: z.string().min(1).default(DEFAULT_LOAD_BALANCER_CLASS),
  },
  'serve-classless': {
    env: 'PORTICO_SERVE_CLASSLESS',
    help: 'also serve LoadBalancer Services without spec.loadBalancerClass (true/false)',
    schema: z
      .enum(['true', 'false'])
      .default('true')
      .transform(v => v === 'true'),
  },
  'node-name': {
    env: 'NODE_NAME',
    help: 'the Node this speaker runs on (required for the speaker)',
    schema: z.string().min(1).optional(),
  },
  'l2-interfaces': {
    env: 'PORTICO_L2_INTERFACES',
    help: 'speaker: comma-separated interfaces for ARP/NDP announcements; empty turns L2 off',
    schema: z
      .string()
      .default('')
      .transform(v =>
        v
          .split(',')
          .map(x => x.trim())
          .filter(x => x !== ''),
      ),
  },
  'heartbeat-key-file': {
    env: 'PORTICO_HEARTBEAT_KEY_FILE',
    help: 'speaker: file with the shared key signing L2 heartbeats (from a Secret)',
    schema: z.string().min(1).optional(),
  },
  'heartbeat-port': {
    env: 'PORTICO_HEARTBEAT_PORT',
    help: 'speaker: UDP port of the L2 heartbeats between speakers',
    schema: z.coerce.number().int().min(1).max(65535).default(7473),
  },
  'l2-local-interface': {
    env: 'PORTICO_L2_LOCAL_INTERFACE',
    help: 'speaker: put owned VIPs on this local (dummy) interface',
    schema: z.string().min(1).optional(),
  },
  'l2-preempt-after': {
    env: 'PORTICO_L2_PREEMPT_AFTER',
    help: 'speaker: the preferred node takes an L2 VIP back after being ready this long (default: never; ownership is sticky)',
    schema: duration('l2-preempt-after').optional(),
  },
  'bgp-router-id': {
    env: 'PORTICO_BGP_ROUTER_ID',
    help: "speaker: BGP identifier for peers without routerID (default: the Node's IPv4 InternalIP)",
    schema: z.string().ip({ version: 'v4' }).optional(),
  },
  'bgp-listen-port': {
    env: 'PORTICO_BGP_LISTEN_PORT',
    help: 'speaker: accept BGP connections on this port (needed for passive peers)',
    schema: z.coerce.number().int().min(1).max(65535).optional(),
  },
  identity: {
    env: 'POD_NAME',
    help: 'holder identity in the leader Lease (default: host name and pid)',
    schema: z.string().min(1).optional(),
  },
  'lease-name': {
    env: 'PORTICO_LEASE_NAME',
    help: 'coordination.k8s.io Lease electing the active controller',
    schema: z.string().min(1).default('portico-controller'),
  },
  'lease-duration': {
    env: 'PORTICO_LEASE_DURATION',
    help: 'how long a leader holds the Lease without renewing it',
    schema: duration('lease-duration').default('15s'),
  },
  'renew-deadline': {
    env: 'PORTICO_RENEW_DEADLINE',
    help: 'a leader that cannot renew for this long steps down',
    schema: duration('renew-deadline').default('10s'),
  },
  'retry-period': {
    env: 'PORTICO_RETRY_PERIOD',
    help: 'how often to try to acquire or renew the Lease',
    schema: duration('retry-period').default('2s'),
  },
  listen: {
    env: 'PORTICO_LISTEN',
    help: 'address of /healthz, /readyz and /metrics',
    schema: listen.default(':7472'),
  },
  'portal-url': {
    env: 'PORTICO_PORTAL_URL',
    help: 'portal link put in the Event of a Service that has no grant',
    schema: z.string().url().optional(),
  },
  'log-level': {
    env: 'PORTICO_LOG_LEVEL',
    help: 'debug, info, warn or error',
    schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  },
} as const;

type Options = typeof options;
type OptionName = keyof Options;

const schema = z
  .object({
    role: z.enum(['controller', 'speaker'], {
      errorMap: () => ({ message: 'expected the role: controller or speaker' }),
    }),
    ...(Object.fromEntries(
      Object.entries(options).map(([name, o]) => [name, o.schema]),
    ) as { [K in OptionName]: Options[K]['schema'] }),
  })
  .superRefine((c, ctx) => {
    if (c.role === 'speaker' && !c['node-name']) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['node-name'],
        message:
          'the speaker needs its Node name (the DaemonSet sets it from spec.nodeName)',
      });
    }
    if (
      c.role === 'speaker' &&
      c['l2-interfaces'].length > 0 &&
      !c['heartbeat-key-file']
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['heartbeat-key-file'],
        message:
          'L2 announcements need the heartbeat key shared by all speakers',
      });
    }
    if (c['renew-deadline'] >= c['lease-duration']) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['renew-deadline'],
        message: 'must be shorter than --lease-duration',
      });
    }
    if (c['retry-period'] >= c['renew-deadline']) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['retry-period'],
        message: 'must be shorter than --renew-deadline',
      });
    }
  });

export interface AgentConfig {
  role: 'controller' | 'speaker';
  kubeconfig?: string;
  namespace: string;
  metallbNamespace: string;
  mode: 'enforce' | 'audit';
  enforceGraceMs: number;
  loadBalancerClass: string;
  serveClassless: boolean;
  nodeName?: string;
  l2Interfaces: string[];
  heartbeatKeyFile?: string;
  heartbeatPort: number;
  l2LocalInterface?: string;
  l2PreemptAfterMs?: number;
  bgpRouterId?: string;
  bgpListenPort?: number;
  identity: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  listen: { host: string; port: number };
  portalUrl?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {}

export function usage(): string {
  const lines = [
    'usage: portico-agent <controller|speaker> [flags]',
    '',
    'flags (each also read from the environment variable shown):',
  ];
  for (const [name, o] of Object.entries(options)) {
    lines.push(`  --${name.padEnd(20)} ${o.env.padEnd(28)} ${o.help}`);
  }
  return lines.join('\n');
}

/** Parses argv (without node and script) and env; throws ConfigError with every problem. */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): AgentConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.keys(options).map(name => [name, { type: 'string' as const }]),
      ),
    });
  } catch (error) {
    throw new ConfigError(`${error.message}\n\n${usage()}`);
  }
  if (parsed.positionals.length > 1) {
    throw new ConfigError(
      `unexpected arguments: ${parsed.positionals.slice(1).join(' ')}`,
    );
  }
  const raw: Record<string, unknown> = { role: parsed.positionals[0] };
  for (const [name, o] of Object.entries(options)) {
    const fromFlag = (parsed.values as Record<string, string | undefined>)[
      name
    ];
    const fromEnv = env[o.env];
    raw[name] = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const name = String(issue.path[0] ?? '');
      const o = (options as Record<string, { env: string }>)[name];
      const where = o ? `--${name} (${o.env})` : name;
      return `  ${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const c = result.data;
  return {
    role: c.role,
    kubeconfig: c.kubeconfig,
    namespace: c.namespace,
    metallbNamespace: c['metallb-namespace'],
    mode: c.mode,
    enforceGraceMs: c['enforce-grace'],
    loadBalancerClass: c['load-balancer-class'],
    serveClassless: c['serve-classless'],
    nodeName: c['node-name'],
    l2Interfaces: c['l2-interfaces'],
    heartbeatKeyFile: c['heartbeat-key-file'],
    heartbeatPort: c['heartbeat-port'],
    l2LocalInterface: c['l2-local-interface'],
    l2PreemptAfterMs: c['l2-preempt-after'],
    bgpRouterId: c['bgp-router-id'],
    bgpListenPort: c['bgp-listen-port'],
    identity: c.identity ?? `${hostname()}_${process.pid}`,
    leaseName: c['lease-name'],
    leaseDurationMs: c['lease-duration'],
    renewDeadlineMs: c['renew-deadline'],
    retryPeriodMs: c['retry-period'],
    listen: c.listen,
    portalUrl: c['portal-url'],
    logLevel: c['log-level'],
  };
}
