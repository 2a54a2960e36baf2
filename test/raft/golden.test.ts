/**
 * Golden interaction scripts (etcd's interaction-test style): each file under golden/
 * is a list of commands (lines starting with "> ") with the output they must print
 * after each. Comments (#) and blank lines separate blocks. A change in the core's
 * behaviour shows up as a readable diff. `UPDATE_GOLDEN=1` rewrites the files with the
 * current output (then review the diff before committing it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from './harness.js';
import { runCommand } from './golden-commands.js';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Block {
  readonly header: string[];
  readonly command: string;
  readonly expected: string[];
}

function parse(text: string): Block[] {
  const blocks: Block[] = [];
  let header: string[] = [];
  let current: { header: string[]; command: string; expected: string[] } | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('> ')) {
      if (current !== null) blocks.push(current);
      current = { header, command: line.slice(2), expected: [] };
      header = [];
    } else if (current !== null && line !== '' && !line.startsWith('#')) {
      current.expected.push(line);
    } else {
      if (current !== null) {
        blocks.push(current);
        current = null;
      }
      header.push(line);
    }
  }
  if (current !== null) blocks.push(current);
  return blocks;
}

function render(blocks: readonly { header: string[]; command: string; actual: string[] }[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    out.push(...b.header, `> ${b.command}`, ...b.actual);
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

test('there are golden scripts', () => {
  assert.ok(files.length >= 6, `found ${files.join(', ')}`);
});

for (const file of files) {
  test(`golden: ${file}`, () => {
    const path = join(dir, file);
    const blocks = parse(readFileSync(path, 'utf8'));
    const cluster = new Cluster();
    const ran = blocks.map((b) => {
      let actual: string[];
      try {
        actual = runCommand(cluster, b.command);
      } catch (err) {
        actual = [`error: ${err instanceof Error ? err.message : String(err)}`];
      }
      return { ...b, actual };
    });
    if (update) {
      writeFileSync(path, render(ran));
      return;
    }
    for (const b of ran) {
      assert.deepEqual(b.actual, b.expected, `${file}: output of "> ${b.command}" changed (UPDATE_GOLDEN=1 rewrites; review the diff)`);
    }
  });
}
