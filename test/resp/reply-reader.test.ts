import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyReader, decodeReply } from '../../lib/resp/reply-reader.js';
import type { RespLimits } from '../../lib/resp/limits.js';
import { Double, Push, ReplyError, SimpleString, Verbatim } from '../../lib/resp/types.js';
import { REPLY_CASES, bytesOf } from './replies.js';
import { everySplit } from './feed.js';

interface ReadOutcome {
  raws: string[];
  error: string | null;
  pending: number;
}

function read(chunks: readonly Buffer[], limits: Partial<RespLimits> = {}): ReadOutcome {
  const reader = new ReplyReader(limits);
  const raws: string[] = [];
  const onReply = (raw: Buffer): void => void raws.push(raw.toString('latin1'));
  for (const chunk of chunks) {
    const error = reader.push(chunk, onReply);
    if (error) {
      assert.equal(reader.push(Buffer.from('+OK\r\n'), onReply), error, 'the error state is sticky');
      return { raws, error: error.message, pending: reader.bufferedBytes };
    }
  }
  return { raws, error: null, pending: reader.bufferedBytes };
}

/** The same outcome whole, byte by byte and cut in two anywhere. */
function checkEverySplit(input: string, expected: ReadOutcome, limits?: Partial<RespLimits>): void {
  for (const chunks of everySplit(Buffer.from(input, 'latin1'))) {
    assert.deepEqual(read(chunks, limits), expected, `${JSON.stringify(input)} in ${chunks.length} chunks`);
  }
}

const ATTRIBUTED =
  '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.19\r\n$1\r\nb\r\n,0.23\r\n*2\r\n:2039123\r\n:9543892\r\n';

describe('ReplyReader', () => {
  test('a pipeline of every reply kind, split at every boundary, comes out reply by reply', () => {
    const replies = REPLY_CASES.flatMap((c) => [bytesOf(c, 2), bytesOf(c, 3)]).map((b) => b.toString('latin1'));
    const extra = [ATTRIBUTED, '(12345678901234567890\r\n', '!7\r\nERR bad\r\n', '>2\r\n+a\r\n+b\r\n', '|0\r\n:5\r\n'];
    const all = [...replies, ...extra];
    checkEverySplit(all.join(''), { raws: all, error: null, pending: 0 });
  });

  test('attributes stay with the reply they annotate, at the top level and nested', () => {
    checkEverySplit(ATTRIBUTED + '+OK\r\n', { raws: [ATTRIBUTED, '+OK\r\n'], error: null, pending: 0 });
    const nested = '*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|1\r\n+c\r\n*1\r\n:0\r\n:2\r\n';
    checkEverySplit(nested, { raws: [nested], error: null, pending: 0 });
    assert.deepEqual(decodeReply(Buffer.from(nested)), [1, 2]);
    assert.deepEqual(decodeReply(Buffer.from(ATTRIBUTED)), [2039123, 9543892]);
  });

  test('an incomplete reply is held and counted', () => {
    checkEverySplit('+OK\r\n*3\r\n:1\r\n$5\r\nab', { raws: ['+OK\r\n'], error: null, pending: 14 });
  });

  test('nesting up to maxNestingDepth is fine, one more is an error', () => {
    checkEverySplit('*1\r\n*1\r\n*1\r\n:1\r\n', { raws: ['*1\r\n*1\r\n*1\r\n:1\r\n'], error: null, pending: 0 }, { maxNestingDepth: 3 });
    checkEverySplit('*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n', { raws: [], error: 'reply nesting too deep', pending: 0 }, { maxNestingDepth: 3 });
  });

  const errors: [string, string, string, Partial<RespLimits>?][] = [
    ['unknown type', '+OK\r\n?x\r\n', "expected a reply type, got '?'"],
    ['negative bulk length', '$-2\r\n', 'invalid bulk length'],
    ['streamed string', '$?\r\n;4\r\nHell\r\n', 'invalid bulk length'],
    ['bulk over maxBulkBytes', '$11\r\n', 'invalid bulk length', { maxBulkBytes: 10 }],
    ['negative array length', '*-2\r\n', 'invalid multibulk length'],
    ['null set', '~-1\r\n', 'invalid multibulk length'],
    ['streamed array', '*?\r\n', 'invalid multibulk length'],
    ['array over maxArgs', '*4\r\n', 'invalid multibulk length', { maxArgs: 3 }],
    ['bulk longer than its length', '$3\r\nabcd\r\n', 'expected CRLF after a bulk reply'],
    ['CR without LF', '+OK\rX', "expected '\\n' after '\\r' in a reply"],
    ['bad integer', ':12a\r\n', 'invalid integer in reply'],
    ['bad big number', '(\r\n', 'invalid integer in reply'],
    ['bad null', '_x\r\n', 'invalid null in reply'],
    ['bad boolean', '#x\r\n', 'invalid boolean in reply'],
    ['short verbatim', '=2\r\nab\r\n', 'invalid verbatim length'],
    ['line over maxInlineBytes', '+0123456789\r\n', 'too big reply line', { maxInlineBytes: 8 }],
    ['bulk over maxBufferedBytes', '*2\r\n$20\r\n', 'reply buffer limit exceeded', { maxBufferedBytes: 16 }],
    ['line over maxBufferedBytes', '*2\r\n+0123456789abc', 'reply buffer limit exceeded', { maxBufferedBytes: 16 }],
  ];
  for (const [name, input, message, limits] of errors) {
    test(`protocol error: ${name}`, () => {
      const raws = input.startsWith('+OK\r\n') ? ['+OK\r\n'] : [];
      checkEverySplit(input, { raws, error: message, pending: 0 }, limits);
    });
  }

  test('a 20 MB bulk reply in 64 KB chunks is relayed whole, in linear time', () => {
    const size = 20 * 1024 * 1024;
    const bytes = Buffer.concat([Buffer.from(`$${size}\r\n`), Buffer.alloc(size, 'z'), Buffer.from('\r\n:1\r\n')]);
    const reader = new ReplyReader();
    const raws: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 64 * 1024) {
      assert.equal(reader.push(bytes.subarray(i, i + 64 * 1024), (raw) => raws.push(raw)), null);
    }
    assert.equal(raws.length, 2);
    assert.equal(raws[0]!.length, bytes.length - 4);
    assert.equal(raws[1]!.toString(), ':1\r\n');
    assert.equal(reader.bufferedBytes, 0);
  });

  test('raw replies are copies: the input buffer may be reused', () => {
    const input = Buffer.from('+OK\r\n');
    let raw: Buffer = Buffer.alloc(0);
    new ReplyReader().push(input, (r) => (raw = r));
    input.fill(0);
    assert.equal(raw.toString(), '+OK\r\n');
  });
});

describe('decodeReply', () => {
  test('reads each type into its Reply value', () => {
    assert.deepEqual(decodeReply(Buffer.from('+OK\r\n')), new SimpleString('OK'));
    assert.deepEqual(decodeReply(Buffer.from('-MOVED 0 127.0.0.1:7001\r\n')), new ReplyError('MOVED 0 127.0.0.1:7001'));
    assert.equal((decodeReply(Buffer.from('-MOVED 0 h:1\r\n')) as ReplyError).code, 'MOVED');
    assert.equal(decodeReply(Buffer.from(':99999999999999999999\r\n')), 99999999999999999999n);
    assert.equal(decodeReply(Buffer.from(':-3\r\n')), -3);
    assert.equal(decodeReply(Buffer.from('(123\r\n')), 123n);
    assert.deepEqual(decodeReply(Buffer.from('!7\r\nERR bad\r\n')), new ReplyError('ERR bad'));
    assert.deepEqual(decodeReply(Buffer.from(',1.5e3\r\n')), new Double(1500));
    assert.ok(Number.isNaN((decodeReply(Buffer.from(',-nan\r\n')) as Double).value));
    assert.deepEqual(decodeReply(Buffer.from('=8\r\nmkd:# hi\r\n')), new Verbatim('# hi', 'mkd'));
    assert.deepEqual(decodeReply(Buffer.from('%1\r\n+a\r\n:1\r\n')), new Map([[new SimpleString('a'), 1]]));
    assert.deepEqual(decodeReply(Buffer.from('>1\r\n$1\r\nx\r\n')), new Push([Buffer.from('x')]));
    assert.equal(decodeReply(Buffer.from('_\r\n')), null);
    assert.equal(decodeReply(Buffer.from('$-1\r\n')), null);
  });

  test('refuses malformed, incomplete or trailing bytes', () => {
    assert.throws(() => decodeReply(Buffer.from('*2\r\n:1\r\n')), { name: 'ProtocolError', message: 'incomplete reply' });
    assert.throws(() => decodeReply(Buffer.from(':1\r\n:2\r\n')), { message: 'bytes after the reply' });
    assert.throws(() => decodeReply(Buffer.from('?\r\n')), { message: "expected a reply type, got '?'" });
    assert.throws(() => decodeReply(Buffer.from('$5\r\nab\r\n')), { message: 'invalid bulk reply' });
    assert.throws(() => decodeReply(Buffer.from(',x\r\n')), { message: "invalid double reply 'x'" });
  });
});
