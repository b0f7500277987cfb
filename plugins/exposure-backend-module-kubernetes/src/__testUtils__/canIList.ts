import type { ClusterCall } from '../kube/clusterCalls';

/** One row of `kubectl auth can-i --list` for resources. */
export interface CanIRule {
  /** `plural.group`, or `plural` for the core group. */
  resource: string;
  resourceNames: string[];
  verbs: string[];
}

const list = (text: string) => text.split(/\s+/).filter(Boolean);

/** Parses kubectl's table (it has no machine-readable output for `--list`). */
export function parseCanIList(output: string): CanIRule[] {
  return output
    .split('\n')
    .slice(1)
    .map(line => line.match(/^(\S+)\s+\[(.*?)\]\s+\[(.*?)\]\s+\[(.*?)\]\s*$/))
    .filter((m): m is RegExpMatchArray => !!m)
    .map(([, resource, , names, verbs]) => ({
      resource,
      resourceNames: list(names),
      verbs: list(verbs),
    }));
}

/** Each call (`verb resource[ name]`) no rule allows. */
export function missingCalls(
  rules: CanIRule[],
  calls: readonly ClusterCall[],
): string[] {
  const missing: string[] = [];
  for (const call of calls) {
    const resource = call.group
      ? `${call.resource}.${call.group}`
      : call.resource;
    const allows = (verb: string, name?: string) =>
      rules.some(
        r =>
          (r.resource === resource || r.resource === '*.*') &&
          (r.verbs.includes(verb) || r.verbs.includes('*')) &&
          (r.resourceNames.length === 0 ||
            (!!name && r.resourceNames.includes(name))),
      );
    for (const verb of call.verbs) {
      const names = call.resourceNames ?? [undefined];
      for (const name of names) {
        if (!allows(verb, name)) {
          missing.push(`${verb} ${resource}${name ? ` ${name}` : ''}`);
        }
      }
    }
  }
  return missing;
}
