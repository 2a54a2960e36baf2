/**
 * Snapshot and restore through msgpack (what the framework stores and ships): every type,
 * TTLs (including ones beyond 2^53 ms), binary data, the slot layout, and refusal of data
 * that is not a kvd snapshot.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '@msgpack/msgpack';
import { kvdApp } from '../../examples/kvd/app.js';
import { KvdHost } from './harness.js';
import { encodeReply } from '../../lib/resp/writer.js';

/** Snapshot, encode each batch, decode, restore: a replica installing a snapshot. */
function roundTrip(h: KvdHost): KvdHost {
  const encoded = [...kvdApp.definition.snapshot(h.data)].map((batch) => encode(batch));
  const restored = new KvdHost();
  restored.data = kvdApp.definition.restore(encoded.map((bytes) => decode(bytes)));
  return restored;
}

describe('snapshot and restore', () => {
  test('strings, hashes, lists, TTLs and binary data survive, in every database', () => {
    const h = new KvdHost();
    h.call('SET', 's', 'v', 'EX', '100');
    h.call('SET', Buffer.from([0, 0xff]), Buffer.from([0x80, 0, 0x0a]));
    h.call('HSET', 'h', 'f', 'v', '', 'empty');
    h.call('RPUSH', 'l', 'a', 'b', '');
    h.call('SET', 'far', 'v', 'PXAT', '9223372036854775807');
    h.call('SELECT', '9');
    h.call('SET', 'nine', '9');
    const r = roundTrip(h);
    assert.equal(r.fingerprint(), h.fingerprint());
    assert.equal(r.wire('TTL', 's'), ':100');
    assert.deepEqual(encodeReply(r.call('GET', Buffer.from([0, 0xff])), 2), Buffer.from([0x24, 0x33, 0x0d, 0x0a, 0x80, 0, 0x0a, 0x0d, 0x0a]));
    assert.deepEqual(r.wire('HGETALL', 'h'), ['$f', '$v', '$', '$empty']);
    assert.deepEqual(r.wire('LRANGE', 'l', '0', '-1'), ['$a', '$b', '$']);
    assert.equal(r.wire('PEXPIRETIME', 'far'), ':9223372036854775807');
    r.call('SELECT', '9');
    assert.equal(r.wire('GET', 'nine'), '$9');
  });

  test('a restored replica pages SCAN like the original and evolves identically', () => {
    const h = new KvdHost();
    for (let i = 0; i < 25_000; i++) h.call('SET', `key:${i}`, `value:${i}`, ...(i % 4 === 0 ? ['PX', String(1000 + i)] : []));
    for (let i = 0; i < 25_000; i += 7) h.call('DEL', `key:${i}`);
    const r = roundTrip(h);
    assert.deepEqual(r.wire('SCAN', '1000', 'COUNT', '20'), h.wire('SCAN', '1000', 'COUNT', '20'));
    for (const host of [h, r]) {
      host.advance(5000);
      host.call('SET', 'after', 'x');
      host.call('DEL', 'key:3', 'key:5');
    }
    assert.equal(r.fingerprint(), h.fingerprint());
  });

  test('batches are bounded and contain no Map or Set', () => {
    const h = new KvdHost();
    for (let i = 0; i < 25_000; i++) h.call('SET', `k${i}`, 'v');
    const batches = [...kvdApp.definition.snapshot(h.data)];
    assert.equal(batches.length, 1 + 3, 'a header and 3 batches of at most 10,000 keys');
    const hasCollections = (x: unknown): boolean =>
      x instanceof Map || x instanceof Set || (typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && Object.values(x).some(hasCollections));
    assert.equal(batches.some(hasCollections), false);
  });

  test('restore refuses data that is not a kvd snapshot', () => {
    assert.throws(() => kvdApp.definition.restore([]), /empty/);
    assert.throws(() => kvdApp.definition.restore([{ format: 'other' }]), /header/);
    const header = [...kvdApp.definition.snapshot(new KvdHost().data)][0];
    assert.throws(() => kvdApp.definition.restore([header, { nonsense: true }]), /unknown shape/);
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    const [head, batch] = [...kvdApp.definition.snapshot(h.data)];
    assert.throws(() => kvdApp.definition.restore([head, batch, batch]), /appears twice/);
  });
});
