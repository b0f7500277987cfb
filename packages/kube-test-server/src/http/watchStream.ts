import { ServerResponse } from 'node:http';
import { ListOptions, ResourceService } from '../api/ResourceService';
import {
  apiVersionOf,
  groupResourceKey,
  ResourceType,
} from '../resources/ResourceType';
import { ResourceVersionExpiredError, StoreEvent } from '../store/ObjectStore';
import { KubeObject } from '../types';
import { statusErrors } from './status';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  selectors: ListOptions;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  /** Ends the stream: the client went away, or the server stops or goes down. */
  signal: AbortSignal;
  /** Strips apiVersion/kind from built-in items, or turns objects into Tables. */
  render: (object: KubeObject) => unknown;
}

/**
 * A watch as kube-apiserver streams it: one JSON event per line. Without a
 * resourceVersion (or with "0") the current objects come first as ADDED; with one,
 * every change after it is replayed from history, or a single ERROR event with a 410
 * Expired Status is sent when the history no longer reaches back that far. Objects
 * moving in or out of a selector arrive as ADDED or DELETED.
 */
const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';

/** A custom resource's watches end when its CRD is deleted, as apiserver ends them. */
function endsWatch(event: StoreEvent, type: ResourceType): boolean {
  if (event.type !== 'DELETED' || event.groupResource !== CRDS) return false;
  const spec = event.object.spec as
    | { group?: string; names?: { plural?: string } }
    | undefined;
  return spec?.group === type.group && spec?.names?.plural === type.resource;
}

export function streamWatch(
  service: ResourceService,
  res: ServerResponse,
  watch: WatchRequest,
): void {
  const { type } = watch;
  const key = groupResourceKey(type);
  const selectors: ListOptions = {
    labelSelector: watch.selectors.labelSelector,
    fieldSelector: [
      ...(watch.selectors.fieldSelector ?? []),
      ...(watch.name
        ? [{ path: ['metadata', 'name'], value: watch.name, negate: false }]
        : []),
    ],
  };
  const inScope = (object: KubeObject) =>
    !type.namespaced ||
    watch.namespace === undefined ||
    object.metadata.namespace === watch.namespace;
  const visible = (object: KubeObject | undefined) =>
    object !== undefined &&
    inScope(object) &&
    service.matches(service.present(type, object), selectors);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const send = (eventType: string, object: unknown) => {
    if (!res.writableEnded)
      res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };
  const sendObject = (eventType: string, object: KubeObject) =>
    send(eventType, watch.render(service.present(type, object)));
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: String(service.store.resourceVersion),
        ...(annotations ? { annotations } : {}),
      },
    });

  let finish = () => {};
  const deliver = (event: StoreEvent) => {
    if (endsWatch(event, type)) {
      finish();
      return;
    }
    if (event.groupResource !== key) return;
    const now = visible(event.object);
    const before = visible(event.previous);
    if (event.type === 'ADDED' && now) sendObject('ADDED', event.object);
    else if (event.type === 'DELETED' && before)
      sendObject('DELETED', event.object);
    else if (event.type === 'MODIFIED') {
      if (now && before) sendObject('MODIFIED', event.object);
      else if (now) sendObject('ADDED', event.object);
      else if (before) sendObject('DELETED', event.object);
    }
  };

  const requested = watch.resourceVersion;
  if (
    requested === undefined ||
    requested === '' ||
    requested === '0' ||
    watch.sendInitialEvents
  ) {
    for (const object of service.store.list(
      key,
      type.namespaced ? watch.namespace : undefined,
    )) {
      if (visible(object)) sendObject('ADDED', object);
    }
    if (watch.sendInitialEvents && watch.allowBookmarks) {
      bookmark({ 'k8s.io/initial-events-end': 'true' });
    }
  } else {
    const since = Number(requested);
    if (!Number.isInteger(since) || since < 0) {
      send(
        'ERROR',
        statusErrors
          .badRequest(`invalid resource version: ${requested}`)
          .toStatus(),
      );
      res.end();
      return;
    }
    try {
      for (const event of service.store.changesSince(since)) deliver(event);
    } catch (error) {
      if (!(error instanceof ResourceVersionExpiredError)) throw error;
      send('ERROR', statusErrors.expired(error.message).toStatus());
      res.end();
      return;
    }
  }

  const unsubscribe = service.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  finish = () => {
    unsubscribe();
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    watch.signal.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };
  if (watch.allowBookmarks)
    timers.push(setInterval(() => bookmark(), watch.bookmarkIntervalMs));
  if (watch.timeoutSeconds && watch.timeoutSeconds > 0) {
    timers.push(setTimeout(finish, watch.timeoutSeconds * 1000));
  }
  if (watch.signal.aborted) finish();
  else watch.signal.addEventListener('abort', finish);
  res.on('close', finish);
}
