import { parseAddress, parseRange, rangeHas } from '../ip/ipRange';
import type { ServicePort } from '../schema/api';
import type { PoolConfig, SegmentConfig } from '../schema/config';
import type { GuardrailReason, GuardrailResult, Verdict } from '../types';

/** What a request asks for, as guardrails see it. */
export interface GuardrailRequest {
  owner: string;
  cluster: string;
  namespace: string;
  ports: ServicePort[];
  address?: string;
  expiresAt?: string;
}

/** The pool's current usage, measured by the caller. */
export interface GuardrailUsage {
  /** Addresses of the pool neither allocated, reserved nor skipped. */
  free: bigint;
  /** Requests of this owner in this pool that hold or wait for an address. */
  ownerHeld: number;
  /**
   * Why the requested address cannot be had (taken by another owner, a port
   * clash, reserved), or undefined when it can. Only set with `address`.
   */
  addressUnavailable?: string;
  /** True when the requested address is already held and may be shared. */
  addressShareable?: boolean;
}

export interface GuardrailInput {
  request: GuardrailRequest;
  pool: PoolConfig;
  segment: SegmentConfig;
  usage: GuardrailUsage;
  now: Date;
  /** Longest lifetime any request may ask for, whatever its pool. */
  maxLifetimeHours?: number;
}

function portAllowed(port: number, specs: (number | string)[]): boolean {
  return specs.some(spec => {
    if (typeof spec === 'number') return spec === port;
    const [low, high = low] = spec.split('-').map(Number);
    return port >= low && port <= high;
  });
}

const HOUR_MS = 3_600_000;

/**
 * Evaluates a request against its pool's policy and usage. Pure: the same
 * input always gives the same verdict, and every reason is a sentence the
 * requester can act on. Deny wins over needs-approval, which wins over allow.
 */
export function evaluateGuardrails(input: GuardrailInput): GuardrailResult {
  const { request, pool, segment, usage, now, maxLifetimeHours } = input;
  const { policy } = pool;
  const reasons: GuardrailReason[] = [];
  const deny = (code: GuardrailReason['code'], message: string) =>
    reasons.push({ code, verdict: 'deny', message });

  if (policy.owners.length > 0 && !policy.owners.includes(request.owner)) {
    deny(
      'owner-not-allowed',
      `${request.owner} may not use the ${pool.intent} pool "${
        pool.name
      }"; it is reserved for ${policy.owners.join(', ')}`,
    );
  }
  if (
    policy.namespaces.length > 0 &&
    !policy.namespaces.includes(request.namespace)
  ) {
    deny(
      'namespace-not-allowed',
      `namespace "${request.namespace}" may not use pool "${
        pool.name
      }" (allowed: ${policy.namespaces.join(', ')})`,
    );
  }
  if (!segment.clusters.includes(request.cluster)) {
    deny(
      'cluster-not-on-segment',
      `cluster "${request.cluster}" is not on segment "${
        segment.name
      }" of pool "${pool.name}" (clusters there: ${
        segment.clusters.join(', ') || 'none'
      })`,
    );
  }
  for (const port of request.ports) {
    const protocol = port.protocol ?? 'TCP';
    if (!policy.protocols.includes(protocol)) {
      deny(
        'protocol-not-allowed',
        `protocol ${protocol} (port ${port.port}) is not allowed in pool "${
          pool.name
        }" (allowed: ${policy.protocols.join(', ')})`,
      );
    }
    if (policy.ports.length > 0 && !portAllowed(port.port, policy.ports)) {
      deny(
        'port-not-allowed',
        `port ${port.port}/${protocol} is not allowed in pool "${
          pool.name
        }" (allowed: ${policy.ports.join(', ')})`,
      );
    }
  }
  if (
    policy.quotaPerTeam !== undefined &&
    usage.ownerHeld >= policy.quotaPerTeam
  ) {
    deny(
      'quota-reached',
      `${request.owner} already holds ${usage.ownerHeld} of its quota of ${policy.quotaPerTeam} in pool "${pool.name}"`,
    );
  }

  if (request.expiresAt !== undefined) {
    const expires = Date.parse(request.expiresAt);
    if (!(expires > now.getTime())) {
      deny(
        'expiry-in-past',
        `the expiry ${request.expiresAt} is not in the future`,
      );
    } else if (
      maxLifetimeHours !== undefined &&
      expires - now.getTime() > maxLifetimeHours * HOUR_MS
    ) {
      deny(
        'lifetime-too-long',
        `no exposure may last more than ${maxLifetimeHours} h; the requested expiry ${
          request.expiresAt
        } is ${((expires - now.getTime()) / HOUR_MS).toFixed(1)} h away`,
      );
    } else if (
      policy.maxLifetimeHours !== undefined &&
      expires - now.getTime() > policy.maxLifetimeHours * HOUR_MS
    ) {
      deny(
        'lifetime-too-long',
        `pool "${pool.name}" allows at most ${
          policy.maxLifetimeHours
        } h; the requested expiry ${request.expiresAt} is ${(
          (expires - now.getTime()) /
          HOUR_MS
        ).toFixed(1)} h away`,
      );
    }
  } else if (policy.maxLifetimeHours !== undefined) {
    deny(
      'lifetime-required',
      `pool "${pool.name}" gives addresses for at most ${policy.maxLifetimeHours} h: set an expiry`,
    );
  }

  if (request.address !== undefined) {
    const address = parseAddress(request.address);
    if (!pool.addresses.map(parseRange).some(r => rangeHas(r, address))) {
      deny(
        'address-not-in-pool',
        `${request.address} is not in pool "${
          pool.name
        }" (${pool.addresses.join(', ')})`,
      );
    } else if (usage.addressUnavailable !== undefined) {
      deny('address-unavailable', usage.addressUnavailable);
    }
  }
  const sharing = request.address !== undefined && usage.addressShareable;
  if (usage.free <= 0n && !sharing) {
    deny(
      'pool-exhausted',
      `pool "${pool.name}" is exhausted: no free address left`,
    );
  }

  if (reasons.length === 0 && policy.approval === 'required') {
    reasons.push({
      code: 'approval-required',
      verdict: 'needs-approval',
      message: `pool "${pool.name}" (${pool.intent}) needs approval by the platform team`,
    });
  }
  let verdict: Verdict = 'allow';
  if (reasons.some(r => r.verdict === 'deny')) verdict = 'deny';
  else if (reasons.length > 0) verdict = 'needs-approval';
  return { verdict, reasons };
}
