import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, UNAUTHENTICATED_LIMITS } from '../../lib/resp/parser.js';
import { DEFAULT_RESP_LIMITS, validateRespLimits, type RespLimits } from '../../lib/resp/limits.js';
import { PROTOCOL_ERRORS } from '../../lib/resp/protocol-errors.js';
import { everySplit, feed } from './feed.js';

interface Case {
  name: string;
  /** latin1: every char is one byte. */
  input: string;
  limits?: Partial<RespLimits>;
  commands: string[][];
  error?: string;
  /** bufferedBytes at the end; 0 unless given. */
  pending?: number;
}

const SET = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n';
const small: Partial<RespLimits> = { maxInlineBytes: 16, maxBulkBytes: 10, maxArgs: 3, maxBufferedBytes: 64 };

const valid: Case[] = [
  { name: 'multibulk PING', input: '*1\r\n$4\r\nPING\r\n', commands: [['PING']] },
  { name: 'multibulk SET', input: SET, commands: [['SET', 'k', 'value']] },
  { name: 'pipeline', input: SET + '*1\r\n$4\r\nPING\r\n' + SET, commands: [['SET', 'k', 'value'], ['PING'], ['SET', 'k', 'value']] },
  { name: 'empty bulk', input: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', commands: [['ECHO', '']] },
  { name: 'binary bulk with CRLF and NUL inside', input: '*2\r\n$4\r\nECHO\r\n$6\r\n\r\n\0\xff*$\r\n', commands: [['ECHO', '\r\n\0\xff*$']] },
  { name: '*0 is ignored', input: '*0\r\n*1\r\n$4\r\nPING\r\n', commands: [['PING']] },
  { name: 'bulk of exactly maxBulkBytes', input: '*1\r\n$10\r\n0123456789\r\n', limits: small, commands: [['0123456789']] },
  { name: 'maxArgs arguments', input: '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n', limits: small, commands: [['a', 'b', 'c']] },
  { name: 'inline CRLF', input: 'PING\r\n', commands: [['PING']] },
  { name: 'inline LF only', input: 'PING\n', commands: [['PING']] },
  { name: 'inline whitespace', input: '  set\t a   b \r\n', commands: [['set', 'a', 'b']] },
  { name: 'inline empty lines skipped', input: '\r\n\n  \r\n\t\nPING\r\n', commands: [['PING']] },
  { name: 'inline CR inside the line separates', input: 'a\rb\n', commands: [['a', 'b']] },
  { name: 'inline only one CR is stripped', input: 'a\r\r\n', commands: [['a']] },
  { name: 'inline \\v and \\f are not separators inside a word', input: 'echo a\vb\x0c \r\n', commands: [['echo', 'a\vb\x0c']] },
  { name: 'inline leading \\v is skipped', input: '\vPING\r\n', commands: [['PING']] },
  { name: 'inline NUL is an ordinary byte', input: 'echo a\0b\n', commands: [['echo', 'a\0b']] },
  { name: 'inline starting with a space is not multibulk', input: ' *1\r\n', commands: [['*1']] },
  { name: 'inline mixed with multibulk', input: 'PING\r\n' + SET + 'GET k\n', commands: [['PING'], ['SET', 'k', 'value'], ['GET', 'k']] },
  { name: 'double quotes with escapes', input: 'set "a b" "\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\"\\z"\r\n', commands: [['set', 'a b', 'AJ\n\r\t\b\x07\\"z']] },
  { name: 'double quotes: \\x without two hex digits', input: 'x "\\xZZ" "\\x4"\n', commands: [['x', 'xZZ', 'x4']] },
  { name: 'single quotes: only \\\' escapes', input: "x 'it\\'s' 'a\\nb' 'c\\\\d'\n", commands: [['x', "it's", 'a\\nb', 'c\\\\d']] },
  { name: 'word runs into quotes', input: 'x foo"bar" a\'b c\'\n', commands: [['x', 'foobar', 'ab c']] },
  { name: 'empty quoted arguments', input: 'echo "" \'\'\n', commands: [['echo', '', '']] },
  { name: 'closing quote then tab or \\v', input: 'x "a"\tb "c"\vd\n', commands: [['x', 'a', 'b', 'c', 'd']] },
  { name: 'closing quote at the end of the line', input: 'x "a"\r\n', commands: [['x', 'a']] },
  { name: 'inline of exactly maxInlineBytes', input: '0123456789abcdef\n', limits: small, commands: [['0123456789abcdef']] },
  { name: 'incomplete multibulk is held', input: '*2\r\n$3\r\nGET\r\n$1\r\n', commands: [], pending: 17 },
  { name: 'incomplete bulk data is held', input: 'PING\n*1\r\n$4\r\nPI', commands: [['PING']], pending: 10 },
  { name: 'incomplete line waiting for LF', input: '*1\r', commands: [], pending: 3 },
  { name: 'incomplete bulk waiting for its CRLF', input: '*1\r\n$2\r\nab\r', commands: [], pending: 11 },
  { name: 'incomplete inline', input: 'PIN', commands: [], pending: 3 },
  { name: 'default maxBulkBytes is accepted', input: '*1\r\n$536870912\r\n', commands: [], pending: 16 },
];

const invalid: Case[] = [
  { name: 'negative count', input: '*-5\r\nPING\r\n', commands: [], error: 'invalid multibulk length' },
  { name: '*-1', input: '*-1\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'non-numeric count', input: '*x\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'empty count', input: '*\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count with a leading zero', input: '*01\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count with a plus sign', input: '*+1\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count with a space', input: '*1 \r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count over maxArgs', input: '*4\r\n', limits: small, commands: [], error: 'invalid multibulk length' },
  { name: 'count over the default maxArgs', input: '*1048577\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count LF without CR', input: '*1\n$4\r\nPING\r\n', commands: [], error: 'invalid multibulk length' },
  { name: 'count CR without LF', input: '*1\rX', commands: [], error: "expected '\\n' after '\\r' in a multibulk length" },
  { name: 'huge bulk length', input: '*1\r\n$999999999999\r\n', commands: [], error: 'invalid bulk length' },
  { name: 'bulk over the default maxBulkBytes', input: '*1\r\n$536870913\r\n', commands: [], error: 'invalid bulk length' },
  { name: 'bulk over maxBulkBytes', input: '*1\r\n$11\r\n', limits: small, commands: [], error: 'invalid bulk length' },
  { name: 'negative bulk length', input: '*1\r\n$-1\r\n', commands: [], error: 'invalid bulk length' },
  { name: 'non-numeric bulk length', input: '*1\r\n$x\r\n', commands: [], error: 'invalid bulk length' },
  { name: 'bulk length with a leading zero', input: '*1\r\n$04\r\nPING\r\n', commands: [], error: 'invalid bulk length' },
  { name: 'bulk length CR without LF', input: '*1\r\n$4\rX', commands: [], error: "expected '\\n' after '\\r' in a bulk length" },
  { name: "expected '$'", input: '*1\r\nx3\r\nfoo\r\n', commands: [], error: "expected '$', got 'x'" },
  { name: "expected '$', got a binary byte", input: '*1\r\n\x00', commands: [], error: "expected '$', got '\\x00'" },
  { name: 'bulk longer than its length', input: '*1\r\n$3\r\nabcd\r\n', commands: [], error: 'expected CRLF after a bulk string of 3 bytes' },
  { name: 'bulk CR without LF', input: '*1\r\n$3\r\nabc\rX', commands: [], error: 'expected CRLF after a bulk string of 3 bytes' },
  { name: 'error after valid commands', input: 'PING\r\n' + SET + '*-5\r\n' + SET, commands: [['PING'], ['SET', 'k', 'value']], error: 'invalid multibulk length' },
  { name: 'unterminated double quote', input: 'set a "b\r\n', commands: [], error: 'unbalanced quotes in request' },
  { name: 'unterminated single quote', input: "set a 'b\r\n", commands: [], error: 'unbalanced quotes in request' },
  { name: 'closing double quote followed by a letter', input: 'set a "b"c\r\n', commands: [], error: 'unbalanced quotes in request' },
  { name: 'closing single quote followed by a letter', input: "set a 'b'c\r\n", commands: [], error: 'unbalanced quotes in request' },
  { name: 'escaped closing quote', input: 'echo "a\\"\r\n', commands: [], error: 'unbalanced quotes in request' },
  { name: 'backslash at the end inside quotes', input: 'echo "a\\\n', commands: [], error: 'unbalanced quotes in request' },
  { name: 'too big inline request', input: '0123456789abcdefg\n', limits: small, commands: [], error: 'too big inline request' },
  { name: 'too big inline request, incomplete', input: 'PING\n0123456789abcdefg', limits: small, commands: [['PING']], error: 'too big inline request' },
  { name: 'too big mbulk count string', input: '*000000000000000000', limits: small, commands: [], error: 'too big mbulk count string' },
  { name: 'too big bulk count string', input: '*1\r\n$0000000000000000', limits: small, commands: [], error: 'too big bulk count string' },
  { name: 'query buffer limit: predicted from the bulk length', input: '*3\r\n$3\r\nSET\r\n$10\r\n0123456789\r\n$10\r\n', limits: { ...small, maxBufferedBytes: 40 }, commands: [], error: 'query buffer limit exceeded' },
  { name: 'query buffer limit: a header line', input: '*2\r\n$3\r\nSET\r\n$1', limits: { ...small, maxBufferedBytes: 16 }, commands: [], error: 'query buffer limit exceeded' },
  { name: 'query buffer limit smaller than the inline limit', input: 'abcdefghij', limits: { ...small, maxBufferedBytes: 8 }, commands: [], error: 'query buffer limit exceeded' },
];

function check(c: Case): void {
  for (const chunks of everySplit(Buffer.from(c.input, 'latin1'))) {
    const outcome = feed(chunks, c.limits);
    const how = chunks.length === 1 ? 'whole' : `in ${chunks.length} chunks, first ${chunks[0]!.length} bytes`;
    assert.deepEqual(outcome, { commands: c.commands, error: c.error ?? null, pending: c.pending ?? 0 }, `${c.name} (${how})`);
  }
}

describe('RequestParser: valid input, whole, byte by byte and split at every boundary', () => {
  for (const c of valid) test(c.name, () => check(c));
});

describe('RequestParser: protocol errors, whole, byte by byte and split at every boundary', () => {
  for (const c of invalid) test(c.name, () => check(c));
});

describe('RequestParser: behaviour', () => {
  test('arguments that lie inside one chunk alias it (zero-copy)', () => {
    const input = Buffer.from(SET);
    let args: Buffer[] = [];
    assert.equal(new RequestParser().push(input, (a) => (args = a)), null);
    assert.equal(args[2]!.buffer, input.buffer);
  });

  test('a 100 MB bulk in 64 KB chunks is parsed in linear time', () => {
    const size = 100 * 1024 * 1024;
    const payload = Buffer.alloc(size, 'x');
    payload[size - 1] = 0x79;
    const header = Buffer.from(`*2\r\n$3\r\nSET\r\n$${size}\r\n`);
    const parser = new RequestParser();
    let received: Buffer[] = [];
    const started = process.hrtime.bigint();
    parser.push(header, (a) => (received = a));
    for (let i = 0; i < size; i += 64 * 1024) {
      assert.equal(parser.push(payload.subarray(i, i + 64 * 1024), (a) => (received = a)), null);
    }
    assert.equal(parser.bufferedBytes, header.length + size);
    assert.equal(parser.push(Buffer.from('\r\n'), (a) => (received = a)), null);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(received.length, 2);
    assert.equal(received[1]!.length, size);
    assert.equal(received[1]![size - 1], 0x79);
    assert.equal(parser.bufferedBytes, 0);
    // Quadratic copying would take minutes; linear takes a fraction of a second.
    assert.ok(seconds < 20, `took ${seconds} s`);
  });

  test('a 64 KiB inline line fed byte by byte is linear too', () => {
    const line = Buffer.from('ECHO ' + 'y'.repeat(64 * 1024 - 5) + '\n');
    const parser = new RequestParser();
    let received: Buffer[] = [];
    for (let i = 0; i < line.length; i++) assert.equal(parser.push(line.subarray(i, i + 1), (a) => (received = a)), null);
    assert.equal(received[1]!.length, 64 * 1024 - 5);
  });

  test('setLimits tightens and widens the limits of the next requests', () => {
    const parser = new RequestParser({ maxArgs: 2 });
    const seen: string[][] = [];
    const onCommand = (a: Buffer[]): void => void seen.push(a.map(String));
    assert.equal(parser.push(Buffer.from('*2\r\n$1\r\na\r\n$1\r\nb\r\n'), onCommand), null);
    parser.setLimits({ maxArgs: 3 });
    assert.equal(parser.push(Buffer.from('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'), onCommand), null);
    parser.setLimits({ maxArgs: 1 });
    assert.equal(parser.push(Buffer.from('*2\r\n'), onCommand)?.message, 'invalid multibulk length');
    assert.deepEqual(seen, [['a', 'b'], ['a', 'b', 'c']]);
  });

  test('before AUTH, lengths over the tightened limits get Redis\'s unauthenticated texts', () => {
    const parser = new RequestParser();
    parser.setLimits(UNAUTHENTICATED_LIMITS, { unauthenticated: true });
    assert.equal(parser.push(Buffer.from('*11\r\n'), () => {})?.message, 'unauthenticated multibulk length');
    const other = new RequestParser();
    other.setLimits(UNAUTHENTICATED_LIMITS, { unauthenticated: true });
    assert.equal(other.push(Buffer.from('*1\r\n$16385\r\n'), () => {})?.message, 'unauthenticated bulk length');
    const third = new RequestParser();
    third.setLimits(UNAUTHENTICATED_LIMITS, { unauthenticated: true });
    assert.equal(third.push(Buffer.from('*-1\r\n'), () => {})?.message, 'invalid multibulk length');
    const widened = new RequestParser(UNAUTHENTICATED_LIMITS);
    widened.setLimits(DEFAULT_RESP_LIMITS);
    assert.equal(widened.push(Buffer.from('*11\r\n'), () => {}), null);
  });

  test('an empty chunk changes nothing', () => {
    assert.deepEqual(feed([Buffer.alloc(0), Buffer.from('PI'), Buffer.alloc(0), Buffer.from('NG\n')]), {
      commands: [['PING']],
      error: null,
      pending: 0,
    });
  });
});

test('every protocol error in the tables is one of PROTOCOL_ERRORS', () => {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = Object.values(PROTOCOL_ERRORS).map((entry) => {
    const text = typeof entry === 'string' ? entry : entry('\0' as never);
    return new RegExp(`^${text.split('\0').map(escape).join('.+')}$`);
  });
  for (const c of invalid) {
    assert.ok(patterns.some((p) => p.test(c.error!)), `'${c.error}' is not in PROTOCOL_ERRORS`);
  }
});

describe('RespLimits', () => {
  test('defaults follow Redis', () => {
    assert.deepEqual(validateRespLimits(), {
      maxBulkBytes: 512 * 1024 * 1024,
      maxArgs: 1024 * 1024,
      maxInlineBytes: 64 * 1024,
      maxBufferedBytes: 1024 * 1024 * 1024,
      maxNestingDepth: 128,
    });
    assert.deepEqual(validateRespLimits({ maxArgs: undefined }), { ...DEFAULT_RESP_LIMITS });
  });

  test('invalid values are refused with a message naming the field', () => {
    assert.throws(() => validateRespLimits({ maxBulkBytes: 0 }), {
      message: 'RespLimits.maxBulkBytes must be an integer from 1 to 9007199254740991, got 0',
    });
    assert.throws(() => validateRespLimits({ maxArgs: 1.5 }), /RespLimits.maxArgs must be an integer .* got 1.5/);
    assert.throws(() => validateRespLimits({ maxInlineBytes: '10' as unknown as number }), /got "10"/);
    assert.throws(() => validateRespLimits({ maxDepth: 3 } as Partial<RespLimits>), /unknown field 'maxDepth'/);
    assert.throws(() => new RequestParser({ maxBufferedBytes: -1 }), /maxBufferedBytes/);
  });
});
