import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, crc32Portable } from '../../lib/raft/storage/crc32.js';
import { FrameReader, encodeFrame, scanFrames, type ScanEnd } from '../../lib/raft/storage/framing.js';
import { rngFromSeed } from '../../lib/util/rng.js';

/** The textbook bit-at-a-time CRC-32, as the reference for the table version. */
function crc32Bitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return ~crc >>> 0;
}

function randomBytes(seed: number, n: number): Uint8Array {
  const rng = rngFromSeed(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function scanAll(buf: Uint8Array): { payloads: Uint8Array[]; end: ScanEnd } {
  const payloads: Uint8Array[] = [];
  const end = scanFrames(buf, 0, buf.length, 1 << 20, (p) => payloads.push(p));
  return { payloads, end };
}

describe('crc32', () => {
  test('matches the standard check value and the bitwise reference', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    for (const n of [1, 7, 8, 9, 63, 64, 65, 1000]) {
      const data = randomBytes(n, n);
      assert.equal(crc32Portable(data), crc32Bitwise(data), `length ${n}`);
      assert.equal(crc32(data), crc32Bitwise(data), `length ${n}`);
    }
  });

  test('continues over pieces with a seed', () => {
    const data = randomBytes(1, 333);
    for (const cut of [0, 1, 8, 100, 333]) {
      assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), crc32(data));
      assert.equal(crc32Portable(data.subarray(cut), crc32Portable(data.subarray(0, cut))), crc32(data));
    }
  });
});

describe('framing', () => {
  const payloads = [randomBytes(2, 10), randomBytes(3, 300), randomBytes(4, 1)];
  const stream = concat(...payloads.map(encodeFrame));

  test('frames round-trip and a whole stream scans clean', () => {
    const { payloads: got, end } = scanAll(stream);
    assert.deepEqual(got, payloads);
    assert.deepEqual(end, { kind: 'clean', end: stream.length });
  });

  test('every cut inside the last frame is a torn tail at its start', () => {
    const lastStart = stream.length - encodeFrame(payloads[2]!).length;
    for (let cut = lastStart + 1; cut < stream.length; cut++) {
      const { payloads: got, end } = scanAll(stream.subarray(0, cut));
      assert.equal(got.length, 2);
      assert.equal(end.kind === 'torn' && end.offset, lastStart);
    }
  });

  test('a flipped byte in the last frame is torn; in an earlier frame it is corruption', () => {
    const lastStart = stream.length - encodeFrame(payloads[2]!).length;
    for (let at = lastStart; at < stream.length; at++) {
      const damaged = stream.slice();
      damaged[at] = damaged[at]! ^ 0x40;
      assert.equal(scanAll(damaged).end.kind, 'torn', `flip at ${at}`);
    }
    for (let at = 0; at < lastStart; at++) {
      const damaged = stream.slice();
      damaged[at] = damaged[at]! ^ 0x40;
      const { end } = scanAll(damaged);
      assert.equal(end.kind, 'corrupt', `flip at ${at}`);
      assert.ok(end.kind === 'corrupt' && end.offset <= at);
    }
  });

  test('a zero-filled tail after the frames is torn', () => {
    const { payloads: got, end } = scanAll(concat(stream, new Uint8Array(4096)));
    assert.equal(got.length, 3);
    assert.deepEqual(end.kind === 'torn' && end.offset, stream.length);
  });

  test('the incremental reader gives the same frames for any chunking', () => {
    const rng = rngFromSeed(9);
    for (let round = 0; round < 50; round++) {
      const reader = new FrameReader(1 << 20);
      const got: Uint8Array[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = 1 + rng.int(40);
        for (const f of reader.push(stream.subarray(at, at + n))) got.push(f.payload);
        at += n;
      }
      assert.deepEqual(got, payloads);
      assert.deepEqual(reader.finish(), { kind: 'clean', end: stream.length });
    }
  });

  test('the incremental reader reports a torn tail and corruption with stream offsets', () => {
    const torn = new FrameReader(1 << 20);
    torn.push(stream.subarray(0, 30));
    torn.push(stream.subarray(30, stream.length - 3));
    assert.deepEqual(torn.finish().kind, 'torn');

    const damaged = stream.slice();
    damaged[12] = damaged[12]! ^ 1;
    const corrupt = new FrameReader(1 << 20);
    const got = [...corrupt.push(damaged.subarray(0, 5)), ...corrupt.push(damaged.subarray(5))];
    assert.equal(got.length, 0);
    const end = corrupt.finish();
    assert.equal(end.kind, 'corrupt');
    assert.equal(end.kind === 'corrupt' && end.offset, 0);
  });
});
