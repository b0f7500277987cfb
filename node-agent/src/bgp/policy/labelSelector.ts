import type { LabelSelector } from '../../metallb/types';

/** Kubernetes label selector semantics (an empty selector matches everything). */
export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** MetalLB's rule for `nodeSelectors` lists: none means all, else any matches. */
export function matchesAny(
  labels: Record<string, string> | undefined,
  selectors: LabelSelector[] | undefined,
): boolean {
  return !selectors?.length || selectors.some(s => matchesSelector(labels, s));
}
