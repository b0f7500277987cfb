import type { LabelSelector } from '../metallb/types';

/**
 * Kubernetes label selector semantics (apimachinery `LabelSelectorAsSelector`):
 * every matchLabels pair and every expression must hold; an empty selector matches
 * everything. Hand-written: @kubernetes/client-node has no selector evaluator.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) {
      return false;
    }
  }
  for (const expr of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!present || !values.includes(have[expr.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[expr.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * MetalLB's rule for lists of selectors (nodeSelectors, ipAddressPoolSelectors):
 * no selectors means "all", otherwise any one selector matching is enough.
 */
export function anySelectorMatches(
  selectors: LabelSelector[] | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selectors || selectors.length === 0) {
    return true;
  }
  return selectors.some(s => selectorMatches(s, labels));
}
