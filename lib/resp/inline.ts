/**
 * Splits an inline command line into arguments with the rules of Redis's sdssplitargs():
 * arguments are separated by whitespace; "double quotes" understand \n \r \t \b \a \\ \"
 * and \xHH (any other escaped character stands for itself); 'single quotes' understand
 * only \'; a closing quote must be followed by whitespace or the end of the line; an
 * unquoted argument may run into a quoted part (foo"bar" is foobar).
 *
 * One deviation: a NUL byte is an ordinary byte here. Redis scans inline requests with
 * strchr(), so a NUL hides the newline and the connection stalls until the inline limit;
 * treating NUL as data is the only useful reading.
 */

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const LOWER_X = 120;
const END = -1;

/** C isspace() in the C locale (\t \n \v \f \r and space): skipped between arguments and allowed after a closing quote. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Scratch space for arguments with quotes: they are unescaped here, then copied out. */
let scratch = Buffer.allocUnsafe(1024);

/**
 * The arguments of line[start, end) (the line without its \r\n), or null for unbalanced
 * quotes. Unquoted arguments are views of `line`; quoted ones are fresh buffers.
 */
export function splitInlineArgs(line: Buffer, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(line[p]!)) p++;
    if (p >= end) return args;
    const tokenStart = p;
    let c = 0;
    // The common case: a plain word, returned as a view without copying.
    while (p < end) {
      c = line[p]!;
      if (c === SPACE || c === LF || c === CR || c === TAB || c === DQUOTE || c === SQUOTE) break;
      p++;
    }
    if (p >= end || (c !== DQUOTE && c !== SQUOTE)) {
      args.push(line.subarray(tokenStart, p));
      continue;
    }
    p = quotedToken(line, tokenStart, p, end, args);
    if (p < 0) return null;
  }
}

/**
 * Reads an argument that contains quotes, from tokenStart (plain bytes up to `p`). Pushes
 * it to `args` and returns the position after it, or -1 for unbalanced quotes. A direct
 * transcription of sdssplitargs' loop, with END standing for C's terminating NUL.
 */
function quotedToken(line: Buffer, tokenStart: number, p: number, end: number, args: Buffer[]): number {
  if (scratch.length < end - tokenStart) scratch = Buffer.allocUnsafe(Math.max(end - tokenStart, scratch.length * 2));
  const out = scratch;
  let k = line.copy(out, 0, tokenStart, p);
  const at = (i: number): number => (i < end ? line[i]! : END);
  let quote = 0; // DQUOTE or SQUOTE while inside quotes
  for (let done = false; !done; ) {
    const c = at(p);
    if (quote === DQUOTE && c === BACKSLASH && at(p + 1) === LOWER_X && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
      out[k++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
      p += 3;
    } else if (quote === DQUOTE && c === BACKSLASH && at(p + 1) !== END) {
      p++;
      out[k++] = unescape(line[p]!);
    } else if (quote === SQUOTE && c === BACKSLASH && at(p + 1) === SQUOTE) {
      p++;
      out[k++] = SQUOTE;
    } else if (quote !== 0 && c === quote) {
      if (at(p + 1) !== END && !isSpace(at(p + 1))) return -1;
      done = true;
    } else if (quote !== 0 && c === END) {
      return -1;
    } else if (quote !== 0) {
      out[k++] = c;
    } else if (c === SPACE || c === LF || c === CR || c === TAB || c === END) {
      done = true;
    } else if (c === DQUOTE || c === SQUOTE) {
      quote = c;
    } else {
      out[k++] = c;
    }
    if (at(p) !== END) p++;
  }
  args.push(Buffer.from(out.subarray(0, k)));
  return p;
}

function unescape(c: number): number {
  switch (c) {
    case 110: return LF; // \n
    case 114: return CR; // \r
    case 116: return TAB; // \t
    case 98: return 8; // \b
    case 97: return 7; // \a
    default: return c;
  }
}
