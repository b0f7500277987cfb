import { loadManifests } from '../loadManifests';
import { KubeObject } from '../types';
import { AllowRule } from './tokenPolicy';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * The allow rules of a ClusterRole (or Role) manifest, so a test token can hold
 * exactly what a real service account would: e.g. deploy/rbac/portal.yaml.
 */
export function allowRulesOf(role: KubeObject): AllowRule[] {
  const rules = (role.rules as PolicyRule[] | undefined) ?? [];
  return rules
    .filter(rule => rule.resources?.length)
    .map(rule => ({
      verbs: rule.verbs,
      resources: rule.resources!,
      apiGroups: rule.apiGroups ?? [''],
      ...(rule.resourceNames?.length
        ? { resourceNames: rule.resourceNames }
        : {}),
    }));
}

/** The allow rules of the ClusterRole named `name` in a manifest file. */
export async function allowRulesFromFile(
  path: string,
  name: string,
): Promise<AllowRule[]> {
  const role = (await loadManifests(path)).find(
    o =>
      (o.kind === 'ClusterRole' || o.kind === 'Role') &&
      o.metadata.name === name,
  );
  if (!role) throw new Error(`no ClusterRole or Role named ${name} in ${path}`);
  return allowRulesOf(role);
}
