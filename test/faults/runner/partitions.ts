/**
 * Which links a partition cuts, as directed (from, to) pairs of node ids:
 * majority/minority, the leader isolated, a bridge (two halves that only one node
 * reaches both of), and asymmetric (the leader still sends but hears nobody).
 */
import type { Rng } from '../../../lib/util/rng.js';

export interface PartitionPlan {
  label: string;
  links: [string, string][];
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Both directions between every node of `a` and every node of `b`. */
export function cutBetween(a: readonly string[], b: readonly string[]): [string, string][] {
  return a.flatMap((x) => b.flatMap((y): [string, string][] => [[x, y], [y, x]]));
}

export function partitionPlan(members: readonly string[], leader: string | undefined, rng: Rng): PartitionPlan | undefined {
  if (members.length < 2) return undefined;
  const kinds = ['majority', 'isolate-leader', 'bridge', 'asymmetric'].filter(
    (k) => (k !== 'isolate-leader' && k !== 'asymmetric') || leader !== undefined,
  ).filter((k) => k !== 'bridge' || members.length >= 3);
  const kind = kinds[rng.int(kinds.length)];
  const others = members.filter((m) => m !== leader);
  if (kind === 'isolate-leader' && leader) {
    return { label: `isolate leader ${leader} | ${others.join(' ')}`, links: cutBetween([leader], others) };
  }
  if (kind === 'asymmetric' && leader) {
    return { label: `asymmetric: ${leader} (leader) hears nobody`, links: others.map((o): [string, string] => [o, leader]) };
  }
  const order = shuffled(members, rng);
  if (kind === 'bridge') {
    const [bridge, ...rest] = order;
    const half = Math.ceil(rest.length / 2);
    const left = rest.slice(0, half);
    const right = rest.slice(half);
    return { label: `bridge ${bridge}: ${left.join(' ')} | ${right.join(' ')}`, links: cutBetween(left, right) };
  }
  const minority = order.slice(0, Math.floor((members.length - 1) / 2) || 1);
  const majority = order.slice(minority.length);
  return { label: `majority ${majority.join(' ')} | minority ${minority.join(' ')}`, links: cutBetween(majority, minority) };
}
