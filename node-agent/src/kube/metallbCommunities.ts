import { communitySpec } from './metallbSchemas';
import { ConfigProblem, parseObjects, V1BETA1 } from './metallbParse';

export interface CommunityValues {
  /** `ASN:value` standard communities (RFC 1997). */
  communities: string[];
  /** `global:local1:local2` large communities (RFC 8092). */
  large: string[];
}

/** A community literal, or undefined when `text` is none (an alias, say). */
export function parseCommunityLiteral(
  raw: string,
): { standard: string } | { large: string } | { error: string } | undefined {
  const value = raw.trim();
  const std = /^(\d+):(\d+)$/.exec(value);
  if (std) {
    return Number(std[1]) <= 0xffff && Number(std[2]) <= 0xffff
      ? { standard: `${Number(std[1])}:${Number(std[2])}` }
      : { error: `community "${value}" is not ASN:VALUE (16-bit each)` };
  }
  const lg = /^(?:large:)?(\d+):(\d+):(\d+)$/.exec(value);
  if (lg) {
    return lg.slice(1).every(n => Number(n) <= 0xffffffff)
      ? { large: lg.slice(1).map(Number).join(':') }
      : {
          error: `large community "${value}" is not GLOBAL:LOCAL1:LOCAL2 (32-bit each)`,
        };
  }
  return undefined;
}

/**
 * BGPAdvertisement `communities`: literals, or names of aliases defined in a
 * Community object, as MetalLB resolves them.
 */
export function resolveCommunities(
  values: string[],
  aliases: Map<string, string>,
  errors: string[],
): CommunityValues {
  const out: CommunityValues = { communities: [], large: [] };
  for (const raw of values) {
    const alias = aliases.get(raw.trim());
    const parsed = parseCommunityLiteral(alias ?? raw);
    if (parsed === undefined) {
      errors.push(
        `community "${raw.trim()}" is neither ASN:VALUE, large:GLOBAL:LOCAL1:LOCAL2 nor the name of a Community alias`,
      );
    } else if ('error' in parsed) {
      errors.push(parsed.error);
    } else if ('standard' in parsed) {
      out.communities.push(parsed.standard);
    } else {
      out.large.push(parsed.large);
    }
  }
  return out;
}

/** Community objects → alias name → value; a name defined twice keeps the older. */
export function parseCommunityAliases(
  raw: unknown[],
  problems: ConfigProblem[],
): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const { spec, ref } of parseObjects(
    raw,
    communitySpec,
    V1BETA1,
    'Community',
    problems,
  )) {
    const errors: string[] = [];
    const mine = new Map<string, string>();
    for (const { name, value } of spec.communities ?? []) {
      const parsed = parseCommunityLiteral(value);
      if (parsed === undefined || 'error' in parsed) {
        errors.push(
          parsed?.error ??
            `${name}: "${value}" is neither ASN:VALUE nor large:GLOBAL:LOCAL1:LOCAL2`,
        );
      } else if (aliases.has(name) || mine.has(name)) {
        errors.push(`community alias ${name} is already defined`);
      } else {
        mine.set(
          name,
          'standard' in parsed ? parsed.standard : `large:${parsed.large}`,
        );
      }
    }
    if (errors.length > 0) {
      problems.push({
        ref,
        message: `invalid Community: ${errors.join('; ')}`,
      });
      continue;
    }
    for (const [k, v] of mine) aliases.set(k, v);
  }
  return aliases;
}
