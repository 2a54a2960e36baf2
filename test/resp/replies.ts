/**
 * Reply fixtures shared by the writer and reply-reader tests: every kind of the Reply
 * union with its exact RESP2 and RESP3 bytes, and what decodeReply gives back for it.
 */
import {
  Double,
  NULL_ARRAY,
  NullArray,
  OK,
  Push,
  RawReply,
  ReplyError,
  ReplySet,
  SimpleString,
  Verbatim,
  type ProtocolVersion,
  type Reply,
} from '../../lib/resp/types.js';
import { formatDouble } from '../../lib/resp/writer.js';
import { decodeReply } from '../../lib/resp/reply-reader.js';
import type { Rng } from '../../lib/util/rng.js';

export interface ReplyCase {
  name: string;
  reply: Reply;
  resp2: string;
  resp3: string;
  /** How resp2/resp3 turn into bytes: utf8 unless the case holds raw bytes. */
  encoding?: 'latin1';
}

const long = 'x'.repeat(100);
const longUnicode = 'é'.repeat(70);

export const REPLY_CASES: ReplyCase[] = [
  { name: 'null', reply: null, resp2: '$-1\r\n', resp3: '_\r\n' },
  { name: 'zero', reply: 0, resp2: ':0\r\n', resp3: ':0\r\n' },
  { name: 'integer', reply: 42, resp2: ':42\r\n', resp3: ':42\r\n' },
  { name: 'negative integer', reply: -7, resp2: ':-7\r\n', resp3: ':-7\r\n' },
  { name: 'largest safe integer', reply: Number.MAX_SAFE_INTEGER, resp2: ':9007199254740991\r\n', resp3: ':9007199254740991\r\n' },
  { name: 'smallest safe integer', reply: Number.MIN_SAFE_INTEGER, resp2: ':-9007199254740991\r\n', resp3: ':-9007199254740991\r\n' },
  { name: 'bigint', reply: 2n ** 63n - 1n, resp2: ':9223372036854775807\r\n', resp3: ':9223372036854775807\r\n' },
  { name: 'small bigint', reply: -5n, resp2: ':-5\r\n', resp3: ':-5\r\n' },
  { name: 'empty string', reply: '', resp2: '$0\r\n\r\n', resp3: '$0\r\n\r\n' },
  { name: 'UTF-8 string', reply: 'héllo', resp2: '$6\r\nhéllo\r\n', resp3: '$6\r\nhéllo\r\n' },
  { name: 'long string', reply: long, resp2: `$100\r\n${long}\r\n`, resp3: `$100\r\n${long}\r\n` },
  { name: 'long UTF-8 string', reply: longUnicode, resp2: `$140\r\n${longUnicode}\r\n`, resp3: `$140\r\n${longUnicode}\r\n` },
  { name: 'binary Buffer', reply: Buffer.from('a\r\n\0\xff', 'latin1'), resp2: '$5\r\na\r\n\0\xff\r\n', resp3: '$5\r\na\r\n\0\xff\r\n', encoding: 'latin1' },
  { name: 'Uint8Array', reply: new Uint8Array([1, 2]), resp2: '$2\r\n\x01\x02\r\n', resp3: '$2\r\n\x01\x02\r\n' },
  { name: 'true', reply: true, resp2: ':1\r\n', resp3: '#t\r\n' },
  { name: 'false', reply: false, resp2: ':0\r\n', resp3: '#f\r\n' },
  { name: 'simple string', reply: OK, resp2: '+OK\r\n', resp3: '+OK\r\n' },
  { name: 'simple string with CRLF', reply: new SimpleString('a\r\nb'), resp2: '+a  b\r\n', resp3: '+a  b\r\n' },
  { name: 'long UTF-8 simple string with LF', reply: new SimpleString(longUnicode + '\n'), resp2: `+${longUnicode} \r\n`, resp3: `+${longUnicode} \r\n` },
  { name: 'error', reply: new ReplyError('ERR unknown command'), resp2: '-ERR unknown command\r\n', resp3: '-ERR unknown command\r\n' },
  { name: 'error with a newline', reply: new ReplyError('ERR a\nb'), resp2: '-ERR a b\r\n', resp3: '-ERR a b\r\n' },
  { name: 'double', reply: new Double(1.5), resp2: '$3\r\n1.5\r\n', resp3: ',1.5\r\n' },
  { name: 'integral double', reply: new Double(3), resp2: '$1\r\n3\r\n', resp3: ',3\r\n' },
  { name: 'shortest round-trip double', reply: new Double(0.1 + 0.2), resp2: '$19\r\n0.30000000000000004\r\n', resp3: ',0.30000000000000004\r\n' },
  { name: 'large double', reply: new Double(1e21), resp2: '$5\r\n1e+21\r\n', resp3: ',1e+21\r\n' },
  { name: 'negative zero', reply: new Double(-0), resp2: '$2\r\n-0\r\n', resp3: ',-0\r\n' },
  { name: 'inf', reply: new Double(Infinity), resp2: '$3\r\ninf\r\n', resp3: ',inf\r\n' },
  { name: '-inf', reply: new Double(-Infinity), resp2: '$4\r\n-inf\r\n', resp3: ',-inf\r\n' },
  { name: 'nan', reply: new Double(NaN), resp2: '$3\r\nnan\r\n', resp3: ',nan\r\n' },
  { name: 'verbatim', reply: new Verbatim('hi'), resp2: '$2\r\nhi\r\n', resp3: '=6\r\ntxt:hi\r\n' },
  { name: 'markdown verbatim', reply: new Verbatim('# é', 'mkd'), resp2: '$4\r\n# é\r\n', resp3: '=8\r\nmkd:# é\r\n' },
  { name: 'null array', reply: NULL_ARRAY, resp2: '*-1\r\n', resp3: '_\r\n' },
  { name: 'empty array', reply: [], resp2: '*0\r\n', resp3: '*0\r\n' },
  { name: 'nested array', reply: [1, ['a', null]], resp2: '*2\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n', resp3: '*2\r\n:1\r\n*2\r\n$1\r\na\r\n_\r\n' },
  { name: 'set', reply: new ReplySet(['a', 1]), resp2: '*2\r\n$1\r\na\r\n:1\r\n', resp3: '~2\r\n$1\r\na\r\n:1\r\n' },
  { name: 'push', reply: new Push(['message', 'ch']), resp2: '*2\r\n$7\r\nmessage\r\n$2\r\nch\r\n', resp3: '>2\r\n$7\r\nmessage\r\n$2\r\nch\r\n' },
  { name: 'map', reply: new Map<Reply, Reply>([['k', 1], ['m', new Map([['x', true]])]]), resp2: '*4\r\n$1\r\nk\r\n:1\r\n$1\r\nm\r\n*2\r\n$1\r\nx\r\n:1\r\n', resp3: '%2\r\n$1\r\nk\r\n:1\r\n$1\r\nm\r\n%1\r\n$1\r\nx\r\n#t\r\n' },
  { name: 'empty map', reply: new Map(), resp2: '*0\r\n', resp3: '%0\r\n' },
  { name: 'raw reply', reply: new RawReply(Buffer.from('+RAW\r\n')), resp2: '+RAW\r\n', resp3: '+RAW\r\n' },
  { name: 'raw reply in an array', reply: [new RawReply(Buffer.from(':5\r\n')), OK], resp2: '*2\r\n:5\r\n+OK\r\n', resp3: '*2\r\n:5\r\n+OK\r\n' },
];

export function bytesOf(c: ReplyCase, proto: ProtocolVersion): Buffer {
  return Buffer.from(proto === 2 ? c.resp2 : c.resp3, c.encoding ?? 'utf8');
}

/** What decodeReply returns for the bytes the writer produced for `reply`. */
export function decoded(reply: Reply, proto: ProtocolVersion): Reply {
  switch (typeof reply) {
    case 'string': return Buffer.from(reply);
    case 'bigint': return reply >= BigInt(Number.MIN_SAFE_INTEGER) && reply <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(reply) : reply;
    case 'boolean': return proto === 3 ? reply : reply ? 1 : 0;
    case 'number': return reply;
  }
  if (reply === null) return null;
  if (reply instanceof Uint8Array) return Buffer.from(reply);
  if (Array.isArray(reply)) return (reply as readonly Reply[]).map((r) => decoded(r, proto));
  if (reply instanceof SimpleString) return new SimpleString(reply.value.replace(/[\r\n]/g, ' '));
  if (reply instanceof ReplyError) return reply;
  if (reply instanceof Double) return proto === 3 ? reply : Buffer.from(formatDouble(reply.value));
  if (reply instanceof Verbatim) return proto === 3 ? reply : Buffer.from(reply.text);
  if (reply instanceof NullArray) return proto === 3 ? null : NULL_ARRAY;
  if (reply instanceof ReplySet) return proto === 3 ? new ReplySet(reply.items.map((r) => decoded(r, proto))) : reply.items.map((r) => decoded(r, proto));
  if (reply instanceof Push) return proto === 3 ? new Push(reply.items.map((r) => decoded(r, proto))) : reply.items.map((r) => decoded(r, proto));
  if (reply instanceof RawReply) return decodeReply(Buffer.from(reply.bytes));
  const map = reply as ReadonlyMap<Reply, Reply>;
  if (proto === 2) return [...map].flatMap(([k, v]) => [decoded(k, proto), decoded(v, proto)]);
  return new Map([...map].map(([k, v]) => [decoded(k, proto), decoded(v, proto)]));
}

/** A random reply tree (no NaN, which deepEqual would still accept, and no RawReply). */
export function randomReply(rng: Rng, depth = 0): Reply {
  const kind = rng.int(depth > 3 ? 10 : 15);
  switch (kind) {
    case 0: return null;
    case 1: return rng.range(-1_000_000, 1_000_000) * (rng.chance(0.5) ? 1 : 1_000_000);
    case 2: return BigInt(rng.next32()) * 10_000_000_000n;
    case 3: return Buffer.from(Array.from({ length: rng.int(40) }, () => rng.int(256)));
    case 4: return Array.from({ length: rng.int(20) }, () => String.fromCharCode(32 + rng.int(300))).join('');
    case 5: return rng.chance(0.5);
    case 6: return new SimpleString(`S${rng.next32()}`);
    case 7: return new ReplyError(`ERR e${rng.next32()}`);
    case 8: return new Double(rng.chance(0.1) ? Infinity : (rng.float() - 0.5) * 10 ** rng.range(-5, 25));
    case 9: return new Verbatim(`v${rng.next32()}\r\nline`);
    case 10: return Array.from({ length: rng.int(5) }, () => randomReply(rng, depth + 1));
    case 11: return new ReplySet(Array.from({ length: rng.int(4) }, () => randomReply(rng, depth + 1)));
    case 12: return new Push(Array.from({ length: rng.int(4) }, () => randomReply(rng, depth + 1)));
    case 13: return new Map(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, randomReply(rng, depth + 1)]));
    default: return NULL_ARRAY;
  }
}
