/**
 * Questions the pods test asks a netns cluster, each from inside a pod's namespace:
 * whom a pod names as leader, whether its readiness probe (the manifest's own command)
 * passes, and who the members are.
 */
import { nsExec, redisCli } from './ns-exec.js';
import type { StatefulSetSim } from './statefulset-sim.js';

export function serverPort(sim: StatefulSetSim): number {
  return Number((sim.spec.env.LISTEN_ADDR ?? '').split(':').pop());
}

/** RAFT LEADER as pod i answers it (null when it names none or does not answer). */
export async function leaderSeenBy(sim: StatefulSetSim, i: number): Promise<string | null> {
  try {
    const reply = await redisCli(sim.ns(i), '127.0.0.1', serverPort(sim), ['RAFT', 'LEADER']);
    return /^[\w.-]+:\d+$/.test(reply) ? reply : null;
  } catch {
    return null;
  }
}

/** The leader every listed pod names, when they all name the same one. */
export async function agreedLeader(sim: StatefulSetSim, ordinals: number[]): Promise<string | undefined> {
  const seen = await Promise.all(ordinals.map((i) => leaderSeenBy(sim, i)));
  const first = seen[0];
  return first && seen.every((s) => s === first) ? first : undefined;
}

export function ordinalOf(sim: StatefulSetSim, addr: string): number {
  const m = new RegExp(`^${sim.spec.setName}-(\\d+)\\.`).exec(addr);
  if (!m) throw new Error(`${addr} is not a pod address of ${sim.spec.setName}`);
  return Number(m[1]);
}

/** Runs the StatefulSet's readiness probe command inside pod i, as the kubelet would. */
export async function ready(sim: StatefulSetSim, i: number): Promise<boolean> {
  const r = await nsExec(sim.ns(i), sim.argv(sim.spec.readiness, i), sim.env(i));
  return r.code === 0;
}

/** RAFT SERVER LIST through pod `via`, as raw redis-cli text. */
export async function memberList(sim: StatefulSetSim, via: number): Promise<string> {
  return redisCli(sim.ns(via), '127.0.0.1', serverPort(sim), ['RAFT', 'SERVER', 'LIST']);
}

/** The ordinals whose pod addresses appear in RAFT SERVER LIST. */
export async function members(sim: StatefulSetSim, via: number): Promise<number[]> {
  const text = await memberList(sim, via);
  const found = new Set<number>();
  for (const m of text.matchAll(new RegExp(`\\b${sim.spec.setName}-(\\d+)\\.`, 'g'))) found.add(Number(m[1]));
  return [...found].sort((a, b) => a - b);
}

/** RAFT INFO as pod i answers it about itself (field -> value). */
export async function raftInfo(sim: StatefulSetSim, i: number): Promise<Map<string, string>> {
  const lines = (await redisCli(sim.ns(i), '127.0.0.1', serverPort(sim), ['RAFT', 'INFO'])).split('\n');
  const info = new Map<string, string>();
  for (let k = 0; k + 1 < lines.length; k += 2) info.set(lines[k] as string, lines[k + 1] as string);
  return info;
}
