/**
 * Redis's glob-style pattern matching (stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`,
 * and `\x` for a literal x. Case-sensitive, byte-wise on latin1 strings. Iterative with
 * one backtrack point for `*`, so a pattern like `*a*a*a*b` cannot take exponential time.
 */
export function globMatch(pattern: string, subject: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < subject.length) {
    if (p < pattern.length && pattern[p] === '*') {
      starP = ++p;
      starT = t;
      continue;
    }
    const next = p < pattern.length ? matchOne(pattern, p, subject.charCodeAt(t)) : -1;
    if (next >= 0) {
      p = next;
      t++;
    } else if (starP >= 0) {
      p = starP;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** If the pattern element at p matches char c: the index after that element; else -1. */
function matchOne(pattern: string, p: number, c: number): number {
  const ch = pattern[p];
  if (ch === '?') return p + 1;
  if (ch === '[') return matchClass(pattern, p + 1, c);
  if (ch === '\\' && p + 1 < pattern.length) return pattern.charCodeAt(p + 1) === c ? p + 2 : -1;
  return pattern.charCodeAt(p) === c ? p + 1 : -1;
}

/** A `[...]` class starting after the '['. An unclosed class ends at the pattern's end, as in Redis. */
function matchClass(pattern: string, p: number, c: number): number {
  const negate = pattern[p] === '^';
  if (negate) p++;
  let matched = false;
  while (p < pattern.length && pattern[p] !== ']') {
    if (pattern[p] === '\\' && p + 1 < pattern.length) {
      if (pattern.charCodeAt(p + 1) === c) matched = true;
      p += 2;
    } else if (pattern[p + 1] === '-' && p + 2 < pattern.length) {
      let lo = pattern.charCodeAt(p);
      let hi = pattern.charCodeAt(p + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (c >= lo && c <= hi) matched = true;
      p += 3;
    } else {
      if (pattern.charCodeAt(p) === c) matched = true;
      p++;
    }
  }
  if (matched === negate) return -1;
  return p < pattern.length ? p + 1 : p;
}
