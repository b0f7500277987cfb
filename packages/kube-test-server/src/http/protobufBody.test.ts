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

  it('decodes the Service `kubectl create service loadbalancer edge --tcp=443:8443` sends', () => {
    // Captured from kubectl 1.32 (the runtime.Unknown envelope and the Service message).
    const body = Buffer.from(
      '6b3873000a0d0a02763112075365727669636512710a210a046564676512001a0022002a003200380042005a0b0a0361707012046564676512480a1d0a083434332d38343433120354435018bb032207080010fb411a002800120b0a036170701204656467651a00220c4c6f616442616c616e6365723a00420052005a00600068001a020a001a002200',
      'hex',
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'edge', labels: { app: 'edge' } },
      spec: {
        ports: [
          { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 },
        ],
        selector: { app: 'edge' },
        type: 'LoadBalancer',
      },
    });
  });

  it('gives up on kinds it does not know and on truncated input, without throwing', () => {
    expect(
      decodeProtobufObject(envelope('v1', 'Pod', field(1, field(1, 'x')))),
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
