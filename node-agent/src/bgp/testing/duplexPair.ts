import { Duplex } from 'node:stream';

/**
 * Two in-memory Duplex streams wired back to back, standing in for a TCP
 * connection (Node 20 has no stream.duplexPair). Ending or destroying one side
 * ends the other.
 */
export function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (i: number) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const other = sides[1 - i];
        if (!other.destroyed) other.push(chunk);
        cb();
      },
      final(cb) {
        const other = sides[1 - i];
        if (!other.destroyed) other.push(null);
        cb();
      },
      destroy(err, cb) {
        const other = sides[1 - i];
        if (!other.destroyed && !other.readableEnded) other.push(null);
        cb(err);
      },
    });
  sides.push(make(0), make(1));
  return [sides[0], sides[1]];
}
