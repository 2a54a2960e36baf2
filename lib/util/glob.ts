/**
 * Redis's glob matching for KEYS and SCAN MATCH (stringmatchlen), rule for rule:
 *   *        any run of bytes, ? one byte, \x the byte x
 *   [abc]    one of, [^abc] none of, [a-z] a range (reversed ends are swapped),
 *            \ escapes inside a class, an unclosed class runs to the end of the pattern
 * Bytes compare as C's signed char, which only matters in ranges with bytes >= 0x80.
 * Patterns and subjects are latin1 strings (one char per byte).
 */

/** Deeper recursion than this (one level per '*') counts as no match, as in newer Redis. */
const MAX_NESTING = 1000;

/** A byte as C's signed char; past the end reads as the terminating NUL. */
function byteAt(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  return c >= 0x80 ? c - 0x100 : c;
}

interface MatchState {
  /** Set when a '*' found no match anywhere: longer matches of earlier '*'s cannot help. */
  giveUp: boolean;
}

export function globMatch(pattern: string, subject: string): boolean {
  if (pattern === '*') return true;
  return matchFrom(pattern, 0, subject, 0, { giveUp: false }, 0);
}

/** Matches a class starting after '['; returns [matched, index of the closing ']' or last char]. */
function matchClass(pattern: string, p: number, c: number): [boolean, number] {
  const end = pattern.length;
  const negate = byteAt(pattern, p) === 0x5e; // ^
  if (negate) p++;
  let match = false;
  for (;;) {
    const here = byteAt(pattern, p);
    if (here === 0x5c && end - p >= 2) {
      p++;
      if (byteAt(pattern, p) === c) match = true;
    } else if (here === 0x5d) {
      break;
    } else if (p >= end) {
      p--;
      break;
    } else if (end - p >= 3 && byteAt(pattern, p + 1) === 0x2d) {
      let lo = here;
      let hi = byteAt(pattern, p + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      p += 2;
      if (c >= lo && c <= hi) match = true;
    } else if (here === c) {
      match = true;
    }
    p++;
  }
  return [negate ? !match : match, p];
}

function matchFrom(pattern: string, p: number, s: string, i: number, state: MatchState, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  const plen = pattern.length;
  const slen = s.length;
  while (p < plen && i < slen) {
    const here = byteAt(pattern, p);
    if (here === 0x2a) {
      // '*': collapse runs, then try the rest of the pattern at every position.
      while (p + 1 < plen && byteAt(pattern, p + 1) === 0x2a) p++;
      if (p + 1 === plen) return true;
      for (; i < slen; i++) {
        if (matchFrom(pattern, p + 1, s, i, state, depth + 1)) return true;
        if (state.giveUp) return false;
      }
      state.giveUp = true;
      return false;
    } else if (here === 0x3f) {
      i++;
    } else if (here === 0x5b) {
      const [matched, last] = matchClass(pattern, p + 1, byteAt(s, i));
      if (!matched) return false;
      p = last;
      i++;
    } else {
      if (here === 0x5c && plen - p >= 2) p++;
      if (byteAt(pattern, p) !== byteAt(s, i)) return false;
      i++;
    }
    p++;
    if (i === slen) {
      while (p < plen && byteAt(pattern, p) === 0x2a) p++;
      break;
    }
  }
  return p === plen && i === slen;
}
