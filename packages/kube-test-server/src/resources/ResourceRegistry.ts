import { builtinResources } from './builtinResources';
import { compareKubeVersions, ResourceType } from './ResourceType';

export interface GroupVersions {
  group: string;
  versions: string[];
  preferredVersion: string;
}

/** Which resources are served where: the built-in kinds plus those of installed CRDs. */
export class ResourceRegistry {
  private readonly byCrd = new Map<string, ResourceType[]>();

  all(): ResourceType[] {
    return [...builtinResources, ...[...this.byCrd.values()].flat()];
  }

  /** Replaces what one CRD (by name) serves; an empty list removes it. */
  setCrdResources(crdName: string, types: ResourceType[]): void {
    if (types.length === 0) this.byCrd.delete(crdName);
    else this.byCrd.set(crdName, types);
  }

  lookup(
    group: string,
    version: string,
    resource: string,
  ): ResourceType | undefined {
    return this.all().find(
      t =>
        t.group === group && t.version === version && t.resource === resource,
    );
  }

  /** The type serving `kind` at `apiVersion` (`v1`, `metallb.io/v1beta1`). */
  lookupKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/')
      ? apiVersion.split('/')
      : ['', apiVersion];
    return this.all().find(
      t => t.group === group && t.version === version && t.kind === kind,
    );
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    return this.all().filter(t => t.group === group && t.version === version);
  }

  /** API groups other than the core group, in the order discovery lists them. */
  groups(): GroupVersions[] {
    const versionsByGroup = new Map<string, Set<string>>();
    for (const type of this.all()) {
      if (!type.group) continue;
      const set = versionsByGroup.get(type.group) ?? new Set<string>();
      set.add(type.version);
      versionsByGroup.set(type.group, set);
    }
    return [...versionsByGroup.entries()].map(([group, set]) => {
      const versions = [...set].sort(compareKubeVersions);
      return { group, versions, preferredVersion: versions[0] };
    });
  }
}
