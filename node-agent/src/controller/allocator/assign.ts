import {
  formatAddress,
  IPFamily,
  ParsedAddress,
  parseAddress,
} from '../../kube/addresses';
import type { PoolConfig } from '../../kube/metallbConfig';
import { AddressBook, Claim } from './addressBook';
import {
  autoAssignOrder,
  candidates,
  poolFor,
  poolHasFamily,
  poolHolds,
  poolServes,
} from './pools';
import type {
  AllocationInput,
  Decision,
  GrantInfo,
  PendingReason,
  ServiceRequest,
} from './types';

export interface AllocationResult {
  decisions: Map<string, Decision>;
  /** Addresses in use per pool after this pass. */
  inUseByPool: Map<string, number>;
}

function pending(reason: PendingReason, message: string): Decision {
  return { state: 'pending', reason, message };
}

/** The families a Service wants, in preference order, and how many it needs. */
function wantedFamilies(svc: ServiceRequest): {
  families: IPFamily[];
  required: number;
} {
  const primary: IPFamily = svc.families[0] ?? 'IPv4';
  const other: IPFamily = primary === 'IPv4' ? 'IPv6' : 'IPv4';
  switch (svc.familyPolicy) {
    case 'RequireDualStack':
      return { families: [primary, other], required: 2 };
    case 'PreferDualStack':
      return { families: [primary, other], required: 1 };
    default:
      return { families: [primary], required: 1 };
  }
}

/** Whether a set of addresses is the right shape for the Service's family policy. */
function familiesFit(
  svc: ServiceRequest,
  ips: ParsedAddress[],
): string | undefined {
  const fams = ips.map(ip => ip.family);
  if (new Set(fams).size !== fams.length) {
    return 'more than one address of one family';
  }
  const { families, required } = wantedFamilies(svc);
  if (fams.some(f => !families.includes(f))) {
    return `an ${fams.find(
      f => !families.includes(f),
    )} address for a ${families.join('/')} Service`;
  }
  if (fams.length < required) {
    return `${svc.familyPolicy} needs one IPv4 and one IPv6 address`;
  }
  return undefined;
}

function claimFor(
  svc: ServiceRequest,
  pool: string,
  sharingKey?: string,
): Claim {
  return {
    service: svc.key,
    pool,
    sharingKey,
    backendKey: svc.backendKey,
    ports: svc.ports,
  };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every(x => b.includes(x));
}

/**
 * Decides every Service's addresses in one pass. Pure: the same input always
 * gives the same output, and Services keep what they hold whenever the rules
 * still allow it, so a re-run never shuffles addresses. Services already holding
 * addresses go first, then the oldest; a newcomer never takes an address away.
 */
export function allocate(input: AllocationInput): AllocationResult {
  const book = new AddressBook();
  const decisions = new Map<string, Decision>();
  const grants = grantsByService(input.grants);

  const order = [...input.services].sort(
    (a, b) =>
      Number(b.current.length > 0) - Number(a.current.length > 0) ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.key.localeCompare(b.key),
  );

  // Grants first: a Service living on its grace period never keeps an address
  // that a grant gives to another Service.
  const inGrace = (svc: ServiceRequest) =>
    input.mode === 'enforce' &&
    svc.graceUntil !== undefined &&
    !(grants.get(svc.key) ?? []).length;
  for (const svc of [
    ...order.filter(s => !inGrace(s)),
    ...order.filter(inGrace),
  ]) {
    decisions.set(svc.key, decide(svc, grants.get(svc.key) ?? [], input, book));
  }
  return { decisions, inUseByPool: book.countByPool() };
}

function grantsByService(grants: GrantInfo[]): Map<string, GrantInfo[]> {
  const out = new Map<string, GrantInfo[]>();
  const sorted = [...grants].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name),
  );
  for (const g of sorted) {
    out.set(g.serviceKey, [...(out.get(g.serviceKey) ?? []), g]);
  }
  return out;
}

function decide(
  svc: ServiceRequest,
  grants: GrantInfo[],
  input: AllocationInput,
  book: AddressBook,
): Decision {
  if (svc.invalid) {
    return pending('InvalidRequest', svc.invalid);
  }
  let grantProblem: Decision | undefined;
  for (const grant of grants) {
    const result = fromGrant(svc, grant, input, book);
    if (result.state === 'assigned') return result;
    grantProblem ??= result;
  }
  if (input.mode === 'enforce') {
    const grace = graceDecision(svc, grantProblem, input, book);
    if (grace) return grace;
    return (
      grantProblem ??
      pending(
        'NotGranted',
        `no ExposureGrant covers Service ${svc.key}; in enforce mode it gets an address only once exposure is requested and approved`,
      )
    );
  }
  // audit: a Service whose grant is unusable is still assigned like MetalLB would.
  return likeMetalLB(svc, input, book);
}

/**
 * Zero-outage enforce: an address in use without a grant when enforce began is
 * kept (exactly what the Service holds, if the rules still allow it) until its
 * grace period ends; an expired grant ends it at once.
 */
function graceDecision(
  svc: ServiceRequest,
  grantProblem: Decision | undefined,
  input: AllocationInput,
  book: AddressBook,
): Decision | undefined {
  if (svc.graceUntil === undefined || svc.current.length === 0)
    return undefined;
  if (
    grantProblem?.state === 'pending' &&
    grantProblem.reason === 'GrantExpired'
  )
    return undefined;
  if (Date.parse(svc.graceUntil) <= input.now.getTime()) return undefined;
  const kept = keepCurrent(svc, input, book);
  if (kept?.state !== 'assigned') return undefined;
  return { ...kept, graceUntil: svc.graceUntil };
}

function fromGrant(
  svc: ServiceRequest,
  grant: GrantInfo,
  input: AllocationInput,
  book: AddressBook,
): Decision {
  const g = `ExposureGrant ${grant.name}`;
  if (grant.expiresAt !== undefined) {
    const expiry = Date.parse(grant.expiresAt);
    if (Number.isNaN(expiry)) {
      return pending(
        'GrantInvalid',
        `${g} has an unreadable expiresAt "${grant.expiresAt}"`,
      );
    }
    if (expiry <= input.now.getTime()) {
      return pending('GrantExpired', `${g} expired at ${grant.expiresAt}`);
    }
  }
  const pool = input.pools.get(grant.pool);
  if (!pool) {
    return pending(
      'GrantInvalid',
      `${g} names IPAddressPool ${grant.pool}, which does not exist or is invalid`,
    );
  }
  if (svc.pool !== undefined && svc.pool !== grant.pool) {
    return pending(
      'GrantMismatch',
      `the Service asks for pool ${svc.pool} but ${g} is for pool ${grant.pool}`,
    );
  }
  const parsed: ParsedAddress[] = [];
  for (const text of grant.addresses) {
    const ip = parseAddress(text);
    if (!ip)
      return pending(
        'GrantInvalid',
        `${g} lists "${text}", which is not an IP address`,
      );
    if (!poolHolds(pool, ip)) {
      return pending(
        'AddressNotInPool',
        `${g} gives ${ip.text}, which is not in IPAddressPool ${pool.name}`,
      );
    }
    parsed.push(ip);
  }
  // A single-stack Service takes the grant's address of its family only.
  const { families } = wantedFamilies(svc);
  const usable = parsed.filter(ip => families.includes(ip.family));
  if (usable.length === 0) {
    return pending(
      'GrantMismatch',
      `${g} has no ${families.join(' or ')} address for the Service`,
    );
  }
  const shape = familiesFit(svc, usable);
  if (shape) {
    return pending('GrantMismatch', `${g} gives ${shape}`);
  }
  const addresses = usable.map(ip => ip.text);
  if (
    svc.requestedIPs.length > 0 &&
    !sameSet(
      svc.requestedIPs.map(t => parseAddress(t)?.text ?? t),
      addresses,
    )
  ) {
    return pending(
      'GrantMismatch',
      `the Service asks for ${svc.requestedIPs.join(
        ', ',
      )} but ${g} gives ${addresses.join(', ')}`,
    );
  }
  // Sharing between granted Services is decided by the portal: it sets
  // allowSharedIP only for requests of one owner in a pool that allows sharing.
  const claim = claimFor(
    svc,
    pool.name,
    grant.allowSharedIP ? `grant-owner:${grant.owner}` : undefined,
  );
  for (const address of addresses) {
    const conflict = book.conflict(address, claim);
    if (conflict) return pending('AddressInUse', conflict);
  }
  for (const address of addresses) book.take(address, claim);
  return { state: 'assigned', addresses, pool: pool.name, grant: grant.name };
}

/** MetalLB's behaviour (controller/service.go + internal/allocator), without grants. */
function likeMetalLB(
  svc: ServiceRequest,
  input: AllocationInput,
  book: AddressBook,
): Decision {
  const { pools, namespaceLabels } = input;
  const named = svc.pool !== undefined ? pools.get(svc.pool) : undefined;
  if (svc.pool !== undefined && !named) {
    return pending(
      'UnknownPool',
      `IPAddressPool ${svc.pool} does not exist or is invalid`,
    );
  }
  if (named && !poolServes(named, svc, namespaceLabels)) {
    return pending(
      'PoolNotAllowed',
      `IPAddressPool ${named.name} does not serve this namespace or Service (serviceAllocation)`,
    );
  }

  const kept = keepCurrent(svc, input, book);
  if (kept) return kept;

  if (svc.requestedIPs.length > 0) {
    return assignRequested(svc, input, book);
  }

  const order = named
    ? [named]
    : autoAssignOrder(pools.values()).filter(p =>
        poolServes(p, svc, namespaceLabels),
      );
  if (order.length === 0) {
    return pending(
      'NoAddressAvailable',
      'no IPAddressPool with autoAssign serves this Service',
    );
  }
  const { families, required } = wantedFamilies(svc);
  for (const pool of order) {
    if (families.filter(f => poolHasFamily(pool, f)).length < required)
      continue;
    const claim = claimFor(svc, pool.name, svc.sharingKey);
    const picked: string[] = [];
    for (const family of families) {
      if (!poolHasFamily(pool, family)) continue;
      // A Service without a sharing key can only take an unused address, and
      // every address below the book's mark is in use.
      const from = claim.sharingKey
        ? 0n
        : book.firstMaybeFree(pool.name, family);
      for (const value of candidates(pool, family, from)) {
        const address = formatAddress(family, value);
        if (!book.conflict(address, claim)) {
          picked.push(address);
          break;
        }
        if (!claim.sharingKey) book.takenBelow(pool.name, family, value + 1n);
      }
    }
    if (picked.length >= required) {
      for (const address of picked) book.take(address, claim);
      return { state: 'assigned', addresses: picked, pool: pool.name };
    }
  }
  const where = named
    ? `IPAddressPool ${named.name}`
    : 'any IPAddressPool serving this Service';
  return pending(
    'NoAddressAvailable',
    `no free ${families
      .slice(0, Math.max(required, 1))
      .join('/')} address in ${where}`,
  );
}

/** Keeps the Service's current addresses if every rule still allows them. */
function keepCurrent(
  svc: ServiceRequest,
  input: AllocationInput,
  book: AddressBook,
): Decision | undefined {
  if (svc.current.length === 0) return undefined;
  const ips = svc.current.map(parseAddress);
  if (ips.some(ip => !ip)) return undefined;
  const parsed = ips as ParsedAddress[];
  if (familiesFit(svc, parsed)) return undefined;
  const addresses = parsed.map(ip => ip.text);
  if (
    svc.requestedIPs.length > 0 &&
    !sameSet(
      svc.requestedIPs.map(t => parseAddress(t)?.text ?? t),
      addresses,
    )
  ) {
    return undefined;
  }
  const pool = poolFor(input.pools, parsed[0]);
  if (!pool || parsed.some(ip => !poolHolds(pool, ip))) return undefined;
  if (svc.pool !== undefined && svc.pool !== pool.name) return undefined;
  if (!poolServes(pool, svc, input.namespaceLabels)) return undefined;
  const claim = claimFor(svc, pool.name, svc.sharingKey);
  if (addresses.some(a => book.conflict(a, claim))) return undefined;
  for (const a of addresses) book.take(a, claim);
  return { state: 'assigned', addresses, pool: pool.name };
}

function assignRequested(
  svc: ServiceRequest,
  input: AllocationInput,
  book: AddressBook,
): Decision {
  const parsed: ParsedAddress[] = [];
  for (const text of svc.requestedIPs) {
    const ip = parseAddress(text);
    if (!ip) return pending('InvalidRequest', `"${text}" is not an IP address`);
    parsed.push(ip);
  }
  const shape = familiesFit(svc, parsed);
  if (shape) return pending('InvalidRequest', `requested addresses: ${shape}`);
  let pool: PoolConfig | undefined;
  for (const ip of parsed) {
    const p =
      svc.pool !== undefined
        ? input.pools.get(svc.pool)
        : poolFor(input.pools, ip);
    if (!p || !poolHolds(p, ip)) {
      const where =
        svc.pool !== undefined
          ? `IPAddressPool ${svc.pool}`
          : 'any IPAddressPool';
      return pending('AddressNotInPool', `${ip.text} is not in ${where}`);
    }
    if (pool && p.name !== pool.name) {
      return pending(
        'InvalidRequest',
        `requested addresses come from two pools, ${pool.name} and ${p.name}`,
      );
    }
    pool = p;
  }
  if (!pool) return pending('InvalidRequest', 'no address requested');
  if (!poolServes(pool, svc, input.namespaceLabels)) {
    return pending(
      'PoolNotAllowed',
      `IPAddressPool ${pool.name} does not serve this namespace or Service (serviceAllocation)`,
    );
  }
  const claim = claimFor(svc, pool.name, svc.sharingKey);
  for (const ip of parsed) {
    const conflict = book.conflict(ip.text, claim);
    if (conflict) return pending('AddressInUse', conflict);
  }
  for (const ip of parsed) book.take(ip.text, claim);
  return {
    state: 'assigned',
    addresses: parsed.map(ip => ip.text),
    pool: pool.name,
  };
}
