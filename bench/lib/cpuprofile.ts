/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and summarizes where the time went: self time
 * per function and per source file, as a share of the busy (non-idle) samples.
 */
import { readFileSync } from 'node:fs';
import { table, fixed } from './markdown.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  /** Microseconds of CLOCK_MONOTONIC, the clock of process.hrtime in any process. */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** A time window in microseconds of CLOCK_MONOTONIC (process.hrtime.bigint() / 1000). */
export interface Window {
  readonly fromUs: number;
  readonly toUs: number;
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface ProfileSummary {
  readonly wallMs: number;
  readonly busyMs: number;
  readonly idleShare: number;
  readonly byFunction: [string, number][];
  readonly byFile: [string, number][];
  /** For native functions (no script) among the top: who calls them, 3 frames up. */
  readonly nativeCallers: [string, [string, number][]][];
}

/** Paths relative to the repository, node internals as node:..., dependencies by package. */
function shortUrl(url: string, root: string): string {
  if (url === '') return '';
  const plain = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(plain);
  if (pkg !== null) return `${pkg[1]}/${pkg[2]}`;
  return plain.startsWith(root + '/') ? plain.slice(root.length + 1) : plain;
}

function sortedShares(totals: Map<string, number>, busy: number): [string, number][] {
  return [...totals].map(([k, v]): [string, number] => [k, v / busy]).sort((a, b) => b[1] - a[1]);
}

/** Sample counts per profile node, only for samples taken inside `window`. */
function countSamples(profile: CpuProfile, window: Window | undefined): Map<number, number> {
  const counts = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (window !== undefined && (t < window.fromUs || t > window.toUs)) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}

function frameName(frame: CallFrame, root: string): string {
  const url = shortUrl(frame.url, root);
  return `${frame.functionName || '(anonymous)'}${url !== '' ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
}

const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function callersOf(profile: CpuProfile, counts: Map<number, number>, native: string, root: string, busy: number): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  for (const [id, count] of counts) {
    if (byId.get(id)!.callFrame.functionName !== native || byId.get(id)!.callFrame.url !== '') continue;
    const chain: string[] = [];
    for (let up = parent.get(id); up !== undefined && chain.length < 3; up = parent.get(up)) chain.push(frameName(byId.get(up)!.callFrame, root));
    const key = chain.join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + count);
  }
  return sortedShares(chains, busy).slice(0, 3);
}

export function summarize(file: string, root: string, window?: Window): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = countSamples(profile, window);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, count] of counts) {
    total += count;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    const name = frameName(frame, root);
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
    const url = shortUrl(frame.url, root);
    const fileKey = url !== '' ? url : frame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + count);
  }
  const busy = total - idle;
  const wallMs = window !== undefined ? (window.toUs - window.fromUs) / 1000 : (profile.endTime - profile.startTime) / 1000;
  const functions = sortedShares(byFunction, busy);
  const natives = functions.filter(([name]) => !name.includes(' ') && !PSEUDO.has(name)).slice(0, 3);
  return {
    wallMs,
    busyMs: (wallMs * busy) / Math.max(1, total),
    idleShare: idle / Math.max(1, total),
    byFunction: functions,
    byFile: sortedShares(byFile, busy),
    nativeCallers: natives.map(([name]) => [name, callersOf(profile, counts, name, root, busy)]),
  };
}

export function profileTables(s: ProfileSummary, top: number): string {
  return [
    `Leader profile over the measured run: ${fixed(s.wallMs / 1000, 1)} s of wall time, ${fixed(s.busyMs / 1000, 1)} s busy (idle ${fixed(s.idleShare * 100, 0)}%). Shares are of busy samples.`,
    '',
    table(['self %', 'function'], s.byFunction.slice(0, top).map(([name, share]) => [fixed(share * 100, 1), `\`${name}\``])),
    '',
    table(['self %', 'file'], s.byFile.slice(0, Math.ceil(top / 2)).map(([name, share]) => [fixed(share * 100, 1), `\`${name}\``])),
    '',
    'Native functions among the top, by caller:',
    '',
    table(
      ['self %', 'native function', 'called from (3 frames up)'],
      s.nativeCallers.flatMap(([native, callers]) => callers.map(([chain, share]) => [fixed(share * 100, 1), `\`${native}\``, `\`${chain}\``])),
    ),
  ].join('\n');
}
