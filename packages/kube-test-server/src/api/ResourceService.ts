import { randomUUID } from 'node:crypto';
import { applyPatch as applyJsonPatch, Operation } from 'fast-json-patch';
import { statusErrors, StatusError } from '../http/status';
import { applyMergePatch } from '../patch/mergePatch';
import { listStrategy } from '../patch/patchMeta';
import { serverSideApply } from '../patch/serverSideApply';
import { applyStrategicMergePatch } from '../patch/strategicMergePatch';
import { resourcesOfCrd, validateCrd } from '../resources/crdResources';
import { ResourceRegistry } from '../resources/ResourceRegistry';
import {
  apiVersionOf,
  groupResourceKey,
  ResourceType,
} from '../resources/ResourceType';
import { FieldRequirement, matchesFields } from '../selectors/fieldSelector';
import { LabelRequirement, matchesLabels } from '../selectors/labelSelector';
import { ObjectStore } from '../store/ObjectStore';
import {
  clone,
  isJsonObject,
  JsonObject,
  KubeObject,
  sameJson,
} from '../types';
import { isBuiltin } from '../resources/builtinResources';
import { checkCustomResource } from './checkCustomResource';
import { decodeContinue, encodeContinue, itemKey } from './continueToken';
import { CRD_GROUP_RESOURCE, KindDefaults, NAMESPACES } from './KindDefaults';
import { kubeTimestamp } from './kubeTimestamp';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WriteOptions {
  /** `status` for the status subresource. */
  subresource?: string;
  dryRun?: boolean;
  /** `Strict` refuses fields a custom resource's schema does not declare. */
  fieldValidation?: string;
  /** Set by server-side apply; other writes keep what the object has. */
  managedFields?: unknown[];
}

export interface ListOptions {
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) {
    suffix +=
      GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  }
  return suffix;
}

function withoutVersion(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.metadata.resourceVersion;
  return copy;
}

/**
 * The semantics of apiserver's generic registry, independent of HTTP: defaulting on
 * create, optimistic concurrency on update, generation, status subresource, the four
 * patch types, finalizers on delete, CRDs turning into served resources.
 */
export class ResourceService {
  private readonly kindDefaults: KindDefaults;

  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
    serviceCidr: string,
  ) {
    this.kindDefaults = new KindDefaults(store, serviceCidr);
  }

  /** Sets apiVersion and kind to the version the client asked for. */
  present(type: ResourceType, object: KubeObject): KubeObject {
    const { apiVersion: _a, kind: _k, ...rest } = object;
    return {
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      ...rest,
    } as KubeObject;
  }

  get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject {
    const found = this.store.get(
      groupResourceKey(type),
      this.scope(type, namespace),
      name,
    );
    if (!found) throw statusErrors.notFound(type.group, type.resource, name);
    return this.present(type, found);
  }

  list(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): ListResult {
    const resourceVersion = String(this.store.resourceVersion);
    let items = this.store
      .list(groupResourceKey(type), type.namespaced ? namespace : undefined)
      .map(o => this.present(type, o))
      .filter(o => this.matches(o, options));
    let start = '';
    let listVersion = resourceVersion;
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      start = token.start;
      listVersion = token.rv;
      items = items.filter(o => itemKey(o) > start);
    }
    if (options.limit && options.limit > 0 && items.length > options.limit) {
      const page = items.slice(0, options.limit);
      return {
        items: page,
        resourceVersion: listVersion,
        continueToken: encodeContinue(
          listVersion,
          itemKey(page[page.length - 1]),
        ),
        remainingItemCount: items.length - page.length,
      };
    }
    return { items, resourceVersion: listVersion };
  }

  matches(object: KubeObject, options: ListOptions): boolean {
    return (
      matchesLabels(options.labelSelector ?? [], object.metadata.labels) &&
      matchesFields(options.fieldSelector ?? [], object)
    );
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    if (options.subresource) throw statusErrors.methodNotAllowed();
    const object = this.decode(type, body);
    const meta = object.metadata;
    meta.namespace = this.namespaceFor(type, namespace, meta.namespace);
    if (!meta.name) {
      if (!meta.generateName) {
        throw statusErrors.invalid(type.group, type.kind, '', [
          {
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      }
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    this.validateName(type, meta.name);
    if (type.namespaced) this.requireNamespace(meta.namespace!);
    const key = groupResourceKey(type);
    if (this.store.get(key, meta.namespace, meta.name)) {
      throw statusErrors.alreadyExists(type.group, type.resource, meta.name);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = kubeTimestamp();
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (options.managedFields) meta.managedFields = options.managedFields;
    delete meta.selfLink;

    if (type.statusSubresource && key !== '/nodes') delete object.status;
    this.kindDefaults.onCreate(type, object);
    const prepared = checkCustomResource(type, object, options.fieldValidation);
    if (key === CRD_GROUP_RESOURCE) this.installCrd(prepared);
    if (options.dryRun) return this.present(type, prepared);
    const stored = this.store.create(key, prepared);
    if (key === CRD_GROUP_RESOURCE) this.registerCrd(stored);
    return this.present(type, stored);
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const incoming = this.decode(type, body);
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw statusErrors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const scope = this.scope(type, namespace);
    const key = groupResourceKey(type);
    const existing = this.store.get(key, scope, name);
    if (!existing) throw statusErrors.notFound(type.group, type.resource, name);
    if (
      incoming.metadata.resourceVersion &&
      incoming.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw statusErrors.conflict(type.group, type.resource, name);
    }
    return this.replace(type, existing, incoming, options);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: WriteOptions & { fieldManager?: string } = {},
  ): KubeObject {
    const scope = this.scope(type, namespace);
    const key = groupResourceKey(type);
    const existing = this.store.get(key, scope, name);
    if (patchType === 'apply' && !options.fieldManager) {
      throw statusErrors.badRequest(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    if (patchType === 'strategic' && !isBuiltin(type)) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    if (!existing) {
      if (patchType === 'apply' && !options.subresource) {
        const object = this.decode(type, patch);
        object.metadata.name = name;
        const applied = serverSideApply(
          { metadata: {} },
          object,
          options.fieldManager!,
          {
            apiVersion: apiVersionOf(type),
            now: kubeTimestamp(),
            strategyOf: path => listStrategy(key, path),
          },
        );
        return this.create(type, namespace, object, {
          dryRun: options.dryRun,
          fieldValidation: options.fieldValidation,
          managedFields: (applied.metadata as JsonObject)
            .managedFields as unknown[],
        });
      }
      throw statusErrors.notFound(type.group, type.resource, name);
    }
    const current = this.present(type, existing) as JsonObject;
    let patched: unknown;
    let managedFields: unknown[] | undefined;
    switch (patchType) {
      case 'json':
        patched = this.applyJsonPatch(current, patch);
        break;
      case 'merge':
        patched = applyMergePatch(current, this.requireObject(patch));
        break;
      case 'strategic':
        patched = applyStrategicMergePatch(
          current,
          this.requireObject(patch),
          path => listStrategy(key, path),
        );
        break;
      case 'apply':
        patched = serverSideApply(
          current,
          this.requireObject(patch),
          options.fieldManager!,
          {
            apiVersion: apiVersionOf(type),
            now: kubeTimestamp(),
            subresource: options.subresource,
            strategyOf: path => listStrategy(key, path),
          },
        );
        managedFields = ((patched as JsonObject).metadata as JsonObject)
          .managedFields as unknown[];
        break;
      default:
        throw statusErrors.unsupportedMediaType(String(patchType));
    }
    const result = this.decode(type, patched);
    // A patch only carries a resourceVersion precondition when the client put one in.
    const patchVersion =
      isJsonObject(patch) && isJsonObject(patch.metadata)
        ? patch.metadata.resourceVersion
        : undefined;
    if (patchType !== 'json' && !patchVersion) {
      result.metadata.resourceVersion = existing.metadata.resourceVersion;
    }
    if (result.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw statusErrors.conflict(type.group, type.resource, name);
    }
    return this.replace(type, existing, result, { ...options, managedFields });
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
    options: { dryRun?: boolean } = {},
  ): { object: KubeObject; deleted: boolean } {
    const scope = this.scope(type, namespace);
    const key = groupResourceKey(type);
    const existing = this.store.get(key, scope, name);
    if (!existing) throw statusErrors.notFound(type.group, type.resource, name);
    if (
      (preconditions.uid && preconditions.uid !== existing.metadata.uid) ||
      (preconditions.resourceVersion &&
        preconditions.resourceVersion !== existing.metadata.resourceVersion)
    ) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.resource} "${name}": the precondition was not met`,
        { name, kind: type.resource },
      );
    }
    if (options.dryRun)
      return { object: this.present(type, existing), deleted: true };
    if (existing.metadata.finalizers?.length) {
      if (!existing.metadata.deletionTimestamp) {
        existing.metadata.deletionTimestamp = kubeTimestamp();
        existing.metadata.deletionGracePeriodSeconds = 0;
        return {
          object: this.present(type, this.store.update(key, existing)),
          deleted: false,
        };
      }
      return { object: this.present(type, existing), deleted: false };
    }
    return {
      object: this.present(type, this.remove(key, existing)),
      deleted: true,
    };
  }

  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions,
    dryRun = false,
  ): KubeObject[] {
    return this.list(type, namespace, {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    }).items.map(
      o =>
        this.delete(
          type,
          o.metadata.namespace,
          o.metadata.name!,
          {},
          { dryRun },
        ).object,
    );
  }

  private remove(key: string, existing: KubeObject): KubeObject {
    const meta = existing.metadata;
    if (key === NAMESPACES) {
      for (const other of this.registry.all().filter(t => t.namespaced)) {
        const otherKey = groupResourceKey(other);
        for (const object of this.store.list(otherKey, meta.name)) {
          this.store.remove(otherKey, meta.name, object.metadata.name!);
        }
      }
    }
    if (key === CRD_GROUP_RESOURCE) {
      // Like the CRD's cleanup finalizer: its objects go first (watchers see them
      // deleted), then the definition, which ends the watches on its kind.
      const types = resourcesOfCrd(existing);
      if (types[0]) this.store.removeAll(groupResourceKey(types[0]));
      this.registry.setCrdResources(meta.name!, []);
    }
    return this.store.remove(key, meta.namespace, meta.name!)!;
  }

  private replace(
    type: ResourceType,
    existing: KubeObject,
    incoming: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const key = groupResourceKey(type);
    let next: KubeObject;
    if (options.subresource === 'status') {
      if (!type.statusSubresource)
        throw statusErrors.notFound(
          type.group,
          type.resource,
          existing.metadata.name!,
        );
      next = clone(existing);
      if (options.managedFields)
        next.metadata.managedFields = options.managedFields;
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
      next = checkCustomResource(type, next, options.fieldValidation);
    } else if (options.subresource) {
      throw statusErrors.notFound(
        type.group,
        `${type.resource}/${options.subresource}`,
        existing.metadata.name!,
      );
    } else {
      next = incoming;
      const meta = next.metadata;
      const old = existing.metadata;
      meta.name = old.name;
      meta.namespace = old.namespace;
      meta.uid = old.uid;
      meta.creationTimestamp = old.creationTimestamp;
      meta.generation = old.generation;
      if (old.deletionTimestamp) {
        meta.deletionTimestamp = old.deletionTimestamp;
        meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (options.managedFields) meta.managedFields = options.managedFields;
      else if (old.managedFields) meta.managedFields = old.managedFields;
      else delete meta.managedFields;
      if (type.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = existing.status;
      }
      this.kindDefaults.onUpdate(type, next, existing);
      next = checkCustomResource(type, next, options.fieldValidation);
      if (!sameJson(next.spec, existing.spec)) {
        meta.generation = (old.generation ?? 0) + 1;
      }
    }
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (key === CRD_GROUP_RESOURCE) this.installCrd(next);
    // A write that changes nothing is not a change: same resourceVersion, no event.
    if (
      sameJson(
        withoutVersion(this.present(type, next)),
        withoutVersion(this.present(type, existing)),
      )
    ) {
      return this.present(type, existing);
    }
    if (options.dryRun) return this.present(type, next);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      return this.present(type, this.remove(key, next));
    }
    const stored = this.store.update(key, next);
    if (key === CRD_GROUP_RESOURCE) this.registerCrd(stored);
    return this.present(type, stored);
  }

  private applyJsonPatch(current: JsonObject, patch: unknown): unknown {
    if (!Array.isArray(patch)) {
      throw statusErrors.badRequest(
        'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      );
    }
    try {
      return applyJsonPatch(clone(current), patch as Operation[], true, false)
        .newDocument;
    } catch (error) {
      throw new StatusError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${
          (error as Error).message.split('\n')[0]
        }`,
      );
    }
  }

  private requireObject(value: unknown): JsonObject {
    if (!isJsonObject(value))
      throw statusErrors.badRequest('the patch must be a JSON object');
    return value;
  }

  private decode(type: ResourceType, body: unknown): KubeObject {
    if (!isJsonObject(body))
      throw statusErrors.badRequest(
        'the body of the request must be a JSON object',
      );
    const object = clone(body) as KubeObject;
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw statusErrors.badRequest(
        `the API version in the data (${String(
          object.apiVersion,
        )}) does not match the expected API version (${apiVersionOf(
          type,
        )}) or kind ${String(object.kind)} is not ${type.kind}`,
      );
    }
    if (!isJsonObject(object.metadata)) object.metadata = {};
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    return object;
  }

  private scope(
    type: ResourceType,
    namespace: string | undefined,
  ): string | undefined {
    return type.namespaced ? namespace : undefined;
  }

  private namespaceFor(
    type: ResourceType,
    fromPath: string | undefined,
    fromBody: string | undefined,
  ) {
    if (!type.namespaced) return undefined;
    if (fromPath && fromBody && fromPath !== fromBody) {
      throw statusErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const namespace = fromPath ?? fromBody;
    if (!namespace)
      throw statusErrors.badRequest(
        'an empty namespace may not be set during creation',
      );
    return namespace;
  }

  private requireNamespace(namespace: string): void {
    const found = this.store.get(NAMESPACES, undefined, namespace);
    if (!found) throw statusErrors.notFound('', 'namespaces', namespace);
    if (found.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private validateName(type: ResourceType, name: string): void {
    if (name.length > 253 || !NAME_PATTERN.test(name)) {
      throw statusErrors.invalid(type.group, type.kind, name, [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
  }

  /** Refuses a CRD that apiextensions-apiserver would refuse (see validateCrd). */
  private installCrd(crd: KubeObject): void {
    const errors = validateCrd(crd);
    if (errors.length) {
      throw statusErrors.invalid(
        'apiextensions.k8s.io',
        'CustomResourceDefinition',
        crd.metadata.name ?? '',
        errors,
      );
    }
  }

  private registerCrd(crd: KubeObject): void {
    this.registry.setCrdResources(crd.metadata.name!, resourcesOfCrd(crd));
  }
}
