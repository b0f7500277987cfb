/** Now, as Kubernetes writes times in objects: RFC 3339 in UTC, whole seconds. */
export function kubeTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
