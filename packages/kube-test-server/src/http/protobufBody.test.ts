import { decodeProtobufObject } from './protobufBody';

/** Length-delimited field `n` holding `payload` (protobuf wire type 2). */
function field(n: number, payload: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
}

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([field(1, apiVersion), field(2, kind)]);
  return Buffer.concat([
    Buffer.from('k8s\0'),
    field(1, typeMeta),
    field(2, raw),
  ]);
}

describe('decodeProtobufObject', () => {
  it('decodes a ConfigMap with labels and data', () => {
    const meta = Buffer.concat([
      field(1, 'cfg'),
      field(3, 'team-a'),
      field(11, Buffer.concat([field(1, 'app'), field(2, 'edge')])),
    ]);
    const raw = Buffer.concat([
      field(1, meta),
      field(2, Buffer.concat([field(1, 'a'), field(2, 'b')])),
    ]);
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'team-a', labels: { app: 'edge' } },
      data: { a: 'b' },
    });
  });

  it('gives up on kinds it does not know and on truncated input, without throwing', () => {
    expect(
      decodeProtobufObject(envelope('v1', 'Service', field(1, field(1, 'x')))),
    ).toBeUndefined();
    const whole = envelope('v1', 'Namespace', field(1, field(1, 'ns')));
    expect(
      decodeProtobufObject(whole.subarray(0, whole.length - 3)),
    ).toBeUndefined();
    expect(
      decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')),
    ).toBeUndefined();
  });
});
