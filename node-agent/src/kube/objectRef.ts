/** Enough of an object to name it in logs and to attach a Kubernetes Event to it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

interface HasMeta {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string };
}

export function refOf(
  obj: HasMeta,
  apiVersion: string,
  kind: string,
): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? apiVersion,
    kind: obj.kind ?? kind,
    namespace: obj.metadata?.namespace,
    name: obj.metadata?.name ?? '',
    uid: obj.metadata?.uid,
  };
}

export function describeRef(ref: ObjectRef): string {
  const where = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${ref.kind} ${where}`;
}

/** `namespace/name`, the key Kubernetes controllers use for namespaced objects. */
export function namespacedKey(
  namespace: string | undefined,
  name: string,
): string {
  return namespace ? `${namespace}/${name}` : name;
}
