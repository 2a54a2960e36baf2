/**
 * DESIGN 2.1: the Raft core only mutates memory. This test reads its sources (comments
 * and string literals removed) and fails on anything that reaches outside: node modules,
 * wall-clock time, ambient randomness, timers, the process, or asynchrony.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = fileURLToPath(new URL('../../lib/raft/core/', import.meta.url));

const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bDate\b/, 'Date (wall-clock time)'],
  [/\bMath\.random\b/, 'Math.random (use config.rng)'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask)\b/, 'timers'],
  [/\bprocess\b/, 'process'],
  [/\bawait\b/, 'await'],
  [/\basync\b/, 'async'],
  [/\bPromise\b/, 'Promise'],
  [/\brequire\s*\(/, 'require()'],
  [/\bimport\s*\(/, 'dynamic import()'],
  [/\b(performance|globalThis|crypto)\b/, 'ambient globals'],
];

/** Removes comments and the contents of string and template literals, keeping line breaks. */
export function stripCommentsAndStrings(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, '');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\') i++;
        if (source[i] === '\n') out += '\n';
        i++;
      }
      i++;
      out += `${c}${c}`;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) specs.push(m[1] as string);
  for (const m of source.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) specs.push(m[1] as string);
  return specs;
}

const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));

test('the core has sources to check', () => {
  assert.ok(files.length >= 10, `expected the core's files in ${coreDir}, found ${files.join(', ')}`);
});

for (const file of files) {
  test(`lib/raft/core/${file} is pure and synchronous`, () => {
    const source = readFileSync(join(coreDir, file), 'utf8');
    for (const spec of importSpecifiers(source)) {
      const allowed = spec.startsWith('./') || spec.startsWith('../../util/');
      assert.ok(allowed, `${file} imports ${spec}: the core may only import its own files and lib/util`);
    }
    const code = stripCommentsAndStrings(source);
    code.split('\n').forEach((line, n) => {
      for (const [pattern, what] of FORBIDDEN) {
        assert.ok(!pattern.test(line), `${file}:${n + 1} uses ${what}: ${line.trim()}`);
      }
    });
  });
}

test('the checker itself catches what it must', () => {
  const bad = stripCommentsAndStrings("const t = Date.now(); // Date in a comment is fine\nawait x;\nconst s = 'process';");
  assert.ok(/\bDate\b/.test(bad), 'Date in code must be caught');
  assert.ok(/\bawait\b/.test(bad), 'await must be caught');
  assert.ok(!/\bprocess\b/.test(bad), 'a string literal is not code');
  assert.deepEqual(importSpecifiers("import { x } from 'node:fs';\nimport type { Y } from './y.js';"), ['node:fs', './y.js']);
});
