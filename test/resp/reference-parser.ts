/**
 * A deliberately plain, whole-input model of the request grammar, written apart from
 * lib/resp: the fuzz test holds the incremental parser to it at random split points. It
 * states the rules as a reader would check them by hand, including which error wins.
 */
import { PROTOCOL_ERRORS } from '../../lib/resp/protocol-errors.js';

const QUERY_BUFFER_LIMIT = PROTOCOL_ERRORS.queryBufferLimit;
import type { RespLimits } from '../../lib/resp/limits.js';
import type { Outcome } from './feed.js';

type Step<T> = { ok: T; next: number } | { error: string } | { incomplete: true };

const DIGITS = /^(0|[1-9][0-9]*)$/;

export function referenceParse(input: Buffer, limits: RespLimits): Outcome {
  const commands: string[][] = [];
  let pos = 0;
  while (pos < input.length) {
    const step = input[pos] === 0x2a ? multibulk(input, pos, limits) : inline(input, pos, limits);
    if ('error' in step) return { commands, error: step.error, pending: 0 };
    if ('incomplete' in step) return { commands, error: null, pending: input.length - pos };
    if (step.ok.length > 0) commands.push(step.ok);
    pos = step.next;
  }
  return { commands, error: null, pending: 0 };
}

/** Too long for the line limit or for the request limit: the smaller limit names the error. */
function lineTooLong(length: number, requestBytes: number, limits: RespLimits, name: string): string | null {
  const requestCap = limits.maxBufferedBytes - requestBytes - 2;
  if (length <= limits.maxInlineBytes && length <= requestCap) return null;
  return limits.maxInlineBytes > requestCap ? QUERY_BUFFER_LIMIT : name;
}

function header(input: Buffer, pos: number, requestBytes: number, limits: RespLimits, bulk: boolean): Step<number> {
  if (pos >= input.length) return { incomplete: true };
  if (bulk && input[pos] !== 0x24) {
    const c = input[pos]!;
    const shown = c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    return { error: `expected '$', got '${shown}'` };
  }
  const cr = input.indexOf(13, pos);
  const length = (cr < 0 ? input.length : cr) - pos;
  const tooLong = lineTooLong(length, requestBytes, limits, bulk ? 'too big bulk count string' : 'too big mbulk count string');
  if (tooLong) return { error: tooLong };
  if (cr < 0) return { incomplete: true };
  const text = input.toString('latin1', pos + 1, cr);
  const value = DIGITS.test(text) ? Number(text) : -1;
  if (!bulk && (value < 0 || value > limits.maxArgs)) return { error: 'invalid multibulk length' };
  if (bulk && (value < 0 || value > limits.maxBulkBytes)) return { error: 'invalid bulk length' };
  if (bulk && requestBytes + length + 2 + value + 2 > limits.maxBufferedBytes) return { error: QUERY_BUFFER_LIMIT };
  if (cr + 1 >= input.length) return { incomplete: true };
  if (input[cr + 1] !== 10) return { error: `expected '\\n' after '\\r' in a ${bulk ? 'bulk' : 'multibulk'} length` };
  return { ok: value, next: cr + 2 };
}

function multibulk(input: Buffer, start: number, limits: RespLimits): Step<string[]> {
  const count = header(input, start, 0, limits, false);
  if (!('ok' in count)) return count;
  let pos = count.next;
  const args: string[] = [];
  for (let i = 0; i < count.ok; i++) {
    const length = header(input, pos, pos - start, limits, true);
    if (!('ok' in length)) return length;
    pos = length.next;
    if (pos + length.ok > input.length) return { incomplete: true };
    args.push(input.toString('latin1', pos, pos + length.ok));
    pos += length.ok;
    for (const expected of [13, 10]) {
      if (pos >= input.length) return { incomplete: true };
      if (input[pos] !== expected) return { error: `expected CRLF after a bulk string of ${length.ok} bytes` };
      pos++;
    }
  }
  return { ok: args, next: pos };
}

function inline(input: Buffer, start: number, limits: RespLimits): Step<string[]> {
  const lf = input.indexOf(10, start);
  const tooLong = lineTooLong((lf < 0 ? input.length : lf) - start, 0, limits, 'too big inline request');
  if (tooLong) return { error: tooLong };
  if (lf < 0) return { incomplete: true };
  let line = input.toString('latin1', start, lf);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  const args = splitArgs(line);
  return args === null ? { error: 'unbalanced quotes in request' } : { ok: args, next: lf + 1 };
}

const BLANK = ' \t\n\v\f\r';
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/** sdssplitargs on a latin1 string, one character at a time. */
function splitArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && BLANK.includes(line[i]!)) i++;
    if (i >= line.length) return args;
    let arg = '';
    let quote = '';
    for (;;) {
      const c = line[i];
      if (quote === '"' && c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
        arg += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (quote === '"' && c === '\\' && i + 1 < line.length) {
        arg += ESCAPES[line[i + 1]!] ?? line[i + 1];
        i += 2;
      } else if (quote === "'" && c === '\\' && line[i + 1] === "'") {
        arg += "'";
        i += 2;
      } else if (quote !== '' && c === quote) {
        if (i + 1 < line.length && !BLANK.includes(line[i + 1]!)) return null;
        i++;
        break;
      } else if (quote !== '' && c === undefined) {
        return null;
      } else if (quote !== '') {
        arg += c;
        i++;
      } else if (c === undefined || ' \n\r\t'.includes(c)) {
        break;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else {
        arg += c;
        i++;
      }
    }
    args.push(arg);
  }
}
