/**
 * Decodes the protobuf request bodies of typed clients for the few kinds they create
 * with generators (`kubectl create namespace|configmap|secret|service`): the `k8s\0` magic,
 * then runtime.Unknown { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2 }, with
 * `raw` the object's message (field numbers from k8s.io/api's generated.proto).
 * Hand-written: the protobuf wire format (varints and length-delimited fields) is
 * all these messages need, and the generated JavaScript types are not published.
 */
import { JsonObject } from '../types';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, Array<bigint | Buffer>>;

class WireError extends Error {}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && shift < 70n; i += 1) {
    value |= BigInt(buf[i] & 0x7f) << shift;
    shift += 7n;
    if ((buf[i] & 0x80) === 0) return [value, i + 1];
  }
  throw new WireError('truncated varint');
}

function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    let value: bigint | Buffer;
    if (wireType === 0) {
      [value, at] = readVarint(buf, at);
    } else if (wireType === 2) {
      const [length, start] = readVarint(buf, at);
      const end = start + Number(length);
      if (end > buf.length) throw new WireError('truncated field');
      value = buf.subarray(start, end);
      at = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      value = buf.subarray(at, at + size);
      at += size;
    } else {
      throw new WireError(`unsupported wire type ${wireType}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const bytes = (f: Fields, n: number) =>
  f.get(n)?.find(Buffer.isBuffer) as Buffer | undefined;
/** A string field; proto2 encoders here also send empty strings, which mean unset. */
const text = (f: Fields, n: number) =>
  bytes(f, n)?.toString('utf8') || undefined;
const texts = (f: Fields, n: number) =>
  (f.get(n) ?? [])
    .filter(Buffer.isBuffer)
    .map(b => (b as Buffer).toString('utf8'));

function map(
  f: Fields,
  n: number,
  asBase64 = false,
): Record<string, string> | undefined {
  const entries = (f.get(n) ?? []).filter(Buffer.isBuffer) as Buffer[];
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(entry => {
      const e = decodeFields(entry);
      const value = bytes(e, 2) ?? Buffer.alloc(0);
      return [
        text(e, 1) ?? '',
        asBase64 ? value.toString('base64') : value.toString('utf8'),
      ];
    }),
  );
}

function compact(object: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== undefined),
  );
}

/** ObjectMeta: name 1, generateName 2, namespace 3, resourceVersion 6, labels 11, annotations 12, finalizers 14. */
function objectMeta(buf: Buffer | undefined): JsonObject {
  if (!buf) return {};
  const f = decodeFields(buf);
  const finalizers = texts(f, 14);
  return compact({
    name: text(f, 1),
    generateName: text(f, 2),
    namespace: text(f, 3),
    resourceVersion: text(f, 6),
    labels: map(f, 11),
    annotations: map(f, 12),
    finalizers: finalizers.length ? finalizers : undefined,
  });
}

const varint = (f: Fields, n: number) => {
  const value = f.get(n)?.find(v => typeof v === 'bigint') as
    | bigint
    | undefined;
  return value === undefined ? undefined : Number(value);
};
const nonZero = (value: number | undefined) => (value ? value : undefined);

/** ServicePort: name 1, protocol 2, port 3, targetPort 4 (IntOrString), nodePort 5. */
function servicePort(buf: Buffer): JsonObject {
  const f = decodeFields(buf);
  const target = bytes(f, 4);
  let targetPort: number | string | undefined;
  if (target) {
    // IntOrString: type 1 (0 int, 1 string), intVal 2, strVal 3.
    const t = decodeFields(target);
    targetPort = varint(t, 1) === 1 ? text(t, 3) : nonZero(varint(t, 2));
  }
  return compact({
    name: text(f, 1),
    protocol: text(f, 2),
    port: varint(f, 3),
    targetPort,
    nodePort: nonZero(varint(f, 5)),
  });
}

/**
 * ServiceSpec: ports 1, selector 2, clusterIP 3, type 4, externalIPs 5,
 * sessionAffinity 7, loadBalancerIP 8, loadBalancerSourceRanges 9, externalName 10,
 * externalTrafficPolicy 11, healthCheckNodePort 12, publishNotReadyAddresses 13
 * (checked against the bytes `kubectl create service` sends).
 */
function serviceSpec(buf: Buffer): JsonObject {
  const f = decodeFields(buf);
  const list = (n: number) => (texts(f, n).length ? texts(f, n) : undefined);
  return compact({
    ports: ((f.get(1) ?? []).filter(Buffer.isBuffer) as Buffer[]).map(
      servicePort,
    ),
    selector: map(f, 2),
    clusterIP: text(f, 3),
    type: text(f, 4),
    externalIPs: list(5),
    sessionAffinity: text(f, 7),
    loadBalancerIP: text(f, 8),
    loadBalancerSourceRanges: list(9),
    externalName: text(f, 10),
    externalTrafficPolicy: text(f, 11),
    healthCheckNodePort: nonZero(varint(f, 12)),
    publishNotReadyAddresses: varint(f, 13) === 1 ? true : undefined,
  });
}

const decoders: Record<string, (f: Fields) => JsonObject> = {
  // Service: metadata 1, spec 2, status 3 (ignored: status is not written on create).
  'v1/Service': f => {
    const spec = bytes(f, 2);
    return spec ? { spec: serviceSpec(spec) } : {};
  },
  // Namespace: metadata 1, spec 2 { finalizers 1 }.
  'v1/Namespace': f => {
    const spec = bytes(f, 2);
    const finalizers = spec ? texts(decodeFields(spec), 1) : [];
    return compact({ spec: finalizers.length ? { finalizers } : undefined });
  },
  // ConfigMap: metadata 1, data 2, binaryData 3, immutable 4.
  'v1/ConfigMap': f =>
    compact({
      data: map(f, 2),
      binaryData: map(f, 3, true),
      immutable: f.has(4) ? f.get(4)![0] === 1n : undefined,
    }),
  // Secret: metadata 1, data 2 (bytes), type 3, stringData 4, immutable 5.
  'v1/Secret': f =>
    compact({
      data: map(f, 2, true),
      type: text(f, 3),
      stringData: map(f, 4),
      immutable: f.has(5) ? f.get(5)![0] === 1n : undefined,
    }),
};

/** The JSON form of a protobuf body, or undefined for a kind this cannot decode. */
export function decodeProtobufObject(body: Buffer): JsonObject | undefined {
  if (
    body.length < MAGIC.length ||
    !body.subarray(0, MAGIC.length).equals(MAGIC)
  )
    return undefined;
  try {
    const unknown = decodeFields(body.subarray(MAGIC.length));
    const typeMeta = bytes(unknown, 1);
    const meta = typeMeta ? decodeFields(typeMeta) : new Map();
    const apiVersion = text(meta, 1) ?? '';
    const kind = text(meta, 2) ?? '';
    const decode = decoders[`${apiVersion}/${kind}`];
    const raw = bytes(unknown, 2);
    if (!decode || !raw) return undefined;
    const object = decodeFields(raw);
    return {
      apiVersion,
      kind,
      metadata: objectMeta(bytes(object, 1)),
      ...decode(object),
    };
  } catch (error) {
    if (error instanceof WireError) return undefined;
    throw error;
  }
}
