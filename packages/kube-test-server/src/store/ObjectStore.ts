import { clone, KubeObject } from '../types';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as the store's history and watchers see it. */
export interface StoreEvent {
  type: WatchEventType;
  /** `group/resource`, the storage key. */
  groupResource: string;
  /** The object after the change; for DELETED, the last state with the deletion's version. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

export class ResourceVersionExpiredError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * In-memory objects with one global, monotonically increasing resource version (like
 * etcd's revision), and a bounded history of changes for watches to resume from. A
 * watch from a version older than what the history still holds is expired (410).
 */
export class ObjectStore {
  private revision = 0;
  /** Every version up to and including this one has left the history. */
  private compactedRevision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historySize: number) {}

  get resourceVersion(): number {
    return this.revision;
  }

  list(groupResource: string, namespace?: string): KubeObject[] {
    const objects = [...(this.objects.get(groupResource)?.values() ?? [])];
    return objects
      .filter(
        o => namespace === undefined || o.metadata.namespace === namespace,
      )
      .sort((a, b) =>
        objectKey(a.metadata.namespace, a.metadata.name!).localeCompare(
          objectKey(b.metadata.namespace, b.metadata.name!),
        ),
      )
      .map(clone);
  }

  get(
    groupResource: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const found = this.objects
      .get(groupResource)
      ?.get(objectKey(namespace, name));
    return found && clone(found);
  }

  /** Stores a new object; the caller has checked that it does not exist. */
  create(groupResource: string, object: KubeObject): KubeObject {
    return this.write(groupResource, object, 'ADDED');
  }

  /** Replaces an existing object; the caller has checked preconditions. */
  update(groupResource: string, object: KubeObject): KubeObject {
    return this.write(groupResource, object, 'MODIFIED');
  }

  remove(
    groupResource: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const bucket = this.objects.get(groupResource);
    const key = objectKey(namespace, name);
    const previous = bucket?.get(key);
    if (!bucket || !previous) return undefined;
    bucket.delete(key);
    this.revision += 1;
    const object = clone(previous);
    object.metadata.resourceVersion = String(this.revision);
    this.record({
      type: 'DELETED',
      groupResource,
      object,
      previous,
      resourceVersion: this.revision,
    });
    return clone(object);
  }

  /** Drops every stored object of one group-resource (a CRD was deleted), with events. */
  removeAll(groupResource: string): void {
    for (const object of this.list(groupResource)) {
      this.remove(
        groupResource,
        object.metadata.namespace,
        object.metadata.name!,
      );
    }
  }

  /**
   * The changes after `since`, oldest first, or an error when the history no longer
   * holds all of them.
   */
  changesSince(since: number): StoreEvent[] {
    if (since < this.compactedRevision) {
      throw new ResourceVersionExpiredError(since, this.compactedRevision + 1);
    }
    return this.history.filter(e => e.resourceVersion > since);
  }

  /** Forgets all history, as etcd compaction does: older versions then expire. */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private write(
    groupResource: string,
    input: KubeObject,
    type: WatchEventType,
  ): KubeObject {
    let bucket = this.objects.get(groupResource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(groupResource, bucket);
    }
    const key = objectKey(input.metadata.namespace, input.metadata.name!);
    const previous = bucket.get(key);
    this.revision += 1;
    const object = clone(input);
    object.metadata.resourceVersion = String(this.revision);
    bucket.set(key, object);
    this.record({
      type,
      groupResource,
      object: clone(object),
      previous,
      resourceVersion: this.revision,
    });
    return clone(object);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift()!;
      this.compactedRevision = dropped.resourceVersion;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}
