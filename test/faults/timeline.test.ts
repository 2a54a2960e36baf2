import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rngFromSeed } from '../../lib/util/rng.js';
import { renderTimeline } from './timeline.js';
import { syntheticRun } from './fixtures/synthetic-run.js';
import type { History } from './history.js';

/** Tags open and close in order: a small well-formedness check without an XML library. */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name as string);
  }
  assert.deepEqual(stack, [], 'every element is closed');
}

function textsOf(svg: string): string {
  return [...svg.matchAll(/>([^<]+)</g)].map((m) => m[1]).join(' | ');
}

describe('timeline SVG', () => {
  test('shows every op type, every fault with its label, outcome counts, axes with units', () => {
    const history = syntheticRun(rngFromSeed(1), 30, 4);
    const svg = renderTimeline(history);
    assertBalanced(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const texts = textsOf(svg);
    for (const f of ['get', 'set', 'del', 'throughput']) assert.ok(texts.includes(f), `panel ${f}`);
    for (const kind of ['kill', 'pause', 'partition', 'membership', 'snapshot', 'clock']) assert.ok(texts.includes(kind), `lane ${kind}`);
    for (const event of history.nemesis) assert.ok(svg.includes(event.label), `label ${event.label}`);
    assert.match(texts, /latency in ms \(log scale\)/);
    assert.match(texts, /time since the run started \(s\)/);
    const failed = history.ops.filter((op) => op.outcome === 'fail').length;
    assert.match(texts, new RegExp(`fail ${failed}`));
  });

  test('labels are escaped and an empty run still renders', () => {
    const history: History = {
      ops: [],
      nemesis: [{ kind: 'nemesis', nemesis: 'partition', label: 'n1 <-> n2 & "n3"', startMs: 10, endMs: 20 }],
    };
    const svg = renderTimeline(history);
    assertBalanced(svg);
    assert.ok(svg.includes('n1 &lt;-&gt; n2 &amp; &quot;n3&quot;'));
    assert.ok(!svg.includes('NaN'));
    const quiet = renderTimeline({ ops: [], nemesis: [] });
    assert.match(quiet, /no faults injected in this run/);
    assert.ok(!quiet.includes('NaN'));
  });

  test('a long run stays a file a browser can open: one mark per cell', () => {
    const history = syntheticRun(rngFromSeed(2), 120, 8);
    assert.ok(history.ops.length > 100_000);
    const svg = renderTimeline(history);
    assert.ok(svg.length < 3_000_000, `${svg.length} bytes`);
    assertBalanced(svg);
  });

  test('renders to PNG with rsvg-convert when it is installed', async (t) => {
    const probe = spawnSync('rsvg-convert', ['--version']);
    if (probe.error) {
      t.diagnostic('rsvg-convert not installed (apt-get install librsvg2-bin): only the structural checks ran');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'respraft-timeline-'));
    try {
      await writeFile(join(dir, 'run.svg'), renderTimeline(syntheticRun(rngFromSeed(1), 30, 4)));
      const result = spawnSync('rsvg-convert', [join(dir, 'run.svg'), '-o', join(dir, 'run.png')]);
      assert.equal(result.status, 0, result.stderr.toString());
      const png = await readFile(join(dir, 'run.png'));
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
