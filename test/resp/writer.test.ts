import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter, encodeReply } from '../../lib/resp/writer.js';
import { ReplyReader, decodeReply } from '../../lib/resp/reply-reader.js';
import { OK, ReplyError, type ProtocolVersion, type Reply } from '../../lib/resp/types.js';
import { rngFromSeed } from '../../lib/util/rng.js';
import { REPLY_CASES, bytesOf, decoded, randomReply } from './replies.js';

const PROTOS: ProtocolVersion[] = [2, 3];

/** Reads `bytes` with a ReplyReader one byte at a time; returns the raw replies. */
function readByteByByte(bytes: Buffer): Buffer[] {
  const reader = new ReplyReader();
  const raws: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) {
    assert.equal(reader.push(bytes.subarray(i, i + 1), (raw) => raws.push(raw)), null);
  }
  assert.equal(reader.bufferedBytes, 0);
  return raws;
}

describe('ReplyWriter: every Reply kind, byte for byte', () => {
  for (const c of REPLY_CASES) {
    for (const proto of PROTOS) {
      test(`${c.name} (RESP${proto})`, () => {
        assert.deepEqual(encodeReply(c.reply, proto), bytesOf(c, proto));
        const writer = new ReplyWriter();
        writer.write(c.reply, proto);
        assert.equal(writer.length, bytesOf(c, proto).length);
        assert.deepEqual(writer.take(), bytesOf(c, proto));
        assert.equal(writer.length, 0);
      });
    }
  }
});

describe('ReplyWriter: round trip through ReplyReader and decodeReply', () => {
  test('every fixture, in both protocols, read one byte at a time', () => {
    for (const c of REPLY_CASES) {
      for (const proto of PROTOS) {
        const bytes = encodeReply(c.reply, proto);
        const raws = readByteByByte(bytes);
        assert.deepEqual(raws, [bytes], `${c.name} RESP${proto}`);
        assert.deepEqual(decodeReply(raws[0]!), decoded(c.reply, proto), `${c.name} RESP${proto}`);
      }
    }
  });

  test('2,000 random nested replies as one pipeline', () => {
    const rng = rngFromSeed(7);
    for (const proto of PROTOS) {
      const replies = Array.from({ length: 1000 }, () => randomReply(rng));
      const writer = new ReplyWriter(64);
      for (const reply of replies) writer.write(reply, proto);
      const bytes = writer.take();
      const raws: Buffer[] = [];
      const reader = new ReplyReader();
      for (let i = 0; i < bytes.length; ) {
        const next = i + rng.range(1, 300);
        assert.equal(reader.push(bytes.subarray(i, next), (raw) => raws.push(raw)), null);
        i = next;
      }
      assert.deepEqual(raws.map(decodeReply), replies.map((r) => decoded(r, proto)));
    }
  });
});

describe('ReplyWriter: fast paths and buffers', () => {
  test('the fast paths write what write() would', () => {
    const writer = new ReplyWriter();
    writer.simple('OK');
    writer.error('ERR bad\r\nthing');
    writer.integer(-12);
    writer.integer(12n);
    writer.bulk('héllo');
    writer.bulk(Buffer.from([0, 1]));
    writer.nullBulk(2);
    writer.nullBulk(3);
    writer.arrayHeader(2);
    writer.mapHeader(1, 2);
    writer.mapHeader(1, 3);
    writer.raw(Buffer.from('+RAW\r\n'));
    assert.equal(
      writer.take().toString('latin1'),
      Buffer.from('+OK\r\n-ERR bad  thing\r\n:-12\r\n:12\r\n$6\r\nhéllo\r\n$2\r\n\0\x01\r\n$-1\r\n_\r\n*2\r\n*2\r\n%1\r\n+RAW\r\n').toString('latin1'),
    );
  });

  test('take() returns only what was written since the last take', () => {
    const writer = new ReplyWriter();
    assert.equal(writer.take().length, 0);
    writer.write(OK, 2);
    assert.equal(writer.take().toString(), '+OK\r\n');
    writer.write(1, 2);
    writer.write('a', 2);
    assert.equal(writer.take().toString(), ':1\r\n$1\r\na\r\n');
  });

  test('a taken view is never overwritten by later writes, even when the buffer fills', () => {
    const writer = new ReplyWriter(32);
    const taken: [Buffer, string][] = [];
    for (let i = 0; i < 2000; i++) {
      writer.write(['x'.repeat(i % 50), i], 2);
      if (i % 3 === 0) {
        const view = writer.take();
        taken.push([view, view.toString('latin1')]);
      }
    }
    writer.write('y'.repeat(3 * 1024 * 1024), 3);
    taken.push([writer.take(), '']);
    writer.write('after a large reply', 3);
    assert.equal(writer.take().toString(), '$19\r\nafter a large reply\r\n');
    for (const [view, text] of taken.slice(0, -1)) assert.equal(view.toString('latin1'), text);
  });

  test('a float, NaN or a non-Reply value is a bug: it throws and nothing of the reply is kept', () => {
    const writer = new ReplyWriter(16);
    writer.write(OK, 2);
    assert.throws(() => writer.write(1.5, 2), /an integer reply must be a safe integer, got 1.5/);
    assert.throws(() => writer.write(2 ** 53, 3), /safe integer/);
    assert.throws(() => writer.write(['a'.repeat(100), [1, NaN]], 2), /safe integer, got NaN/);
    assert.throws(() => writer.write(undefined as unknown as Reply, 2), /not a Reply: undefined/);
    assert.throws(() => writer.write({} as unknown as Reply, 2), /not a Reply: \[object Object\]/);
    assert.equal(writer.take().toString(), '+OK\r\n');
  });

  test('an error message keeps its code and loses its line breaks', () => {
    const error = new ReplyError('WRONGTYPE Operation');
    (error as { message: string }).message = 'WRONGTYPE a\r\nb';
    assert.equal(encodeReply(error, 2).toString(), '-WRONGTYPE a  b\r\n');
  });
});
