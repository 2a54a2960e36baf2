/**
 * The faults. A main loop alternates quiet periods with one fault at a time (kill -9,
 * SIGSTOP, a network partition, a clock jump), each held for a random time and then
 * healed; a background loop meanwhile triggers snapshots and adds or removes a node, so
 * membership changes and compaction happen during the other faults. Every fault is a
 * nemesis event in the history (start and heal times).
 */
import type { Rng } from '../../../lib/util/rng.js';
import type { NemesisKind } from '../history.js';
import type { Recorder } from '../recorder.js';
import type { FaultNet } from '../net/fault-net.js';
import type { FaultCluster, FaultNode } from './cluster.js';
import { partitionPlan } from './partitions.js';

export const NEMESES: readonly NemesisKind[] = ['kill', 'pause', 'partition', 'membership', 'snapshot', 'clock'];
const MAIN: readonly NemesisKind[] = ['kill', 'pause', 'partition', 'clock'];

export interface NemesisConfig {
  kinds: ReadonlySet<NemesisKind>;
  cluster: FaultCluster;
  recorder: Recorder;
  rng: Rng;
  net: FaultNet | undefined;
  /** Fault durations and quiet gaps, ms. */
  faultMs: readonly [number, number];
  quietMs: readonly [number, number];
  /** Chance that a kill takes every node at once. */
  killAllChance: number;
  /** Most nodes in the configuration (membership adds up to this). */
  maxNodes: number;
  say: (line: string) => void;
}

export class Nemesis {
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly config: NemesisConfig) {}

  start(): void {
    const main = MAIN.filter((k) => this.config.kinds.has(k));
    if (main.length > 0) this.loops.push(this.mainLoop(main));
    if (this.config.kinds.has('snapshot')) this.loops.push(this.every([2000, 6000], () => this.snapshot()));
    if (this.config.kinds.has('membership')) this.loops.push(this.every([8000, 15000], () => this.membership()));
  }

  /** Stops after the faults in progress heal. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.loops);
  }

  /** Waits ms, or less if stop() is called. */
  private hold(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private between([lo, hi]: readonly [number, number]): number {
    return this.config.rng.range(lo, hi);
  }

  private async mainLoop(kinds: readonly NemesisKind[]): Promise<void> {
    while (!this.stopping) {
      await this.hold(this.between(this.config.quietMs));
      if (this.stopping) break;
      const kind = kinds[this.config.rng.int(kinds.length)] as NemesisKind;
      try {
        await this.fault(kind);
      } catch (err) {
        this.config.say(`nemesis ${kind} failed: ${(err as Error).message}`);
      }
    }
  }

  private async every(gap: readonly [number, number], action: () => Promise<void>): Promise<void> {
    while (!this.stopping) {
      await this.hold(this.between(gap));
      if (this.stopping) break;
      try {
        await action();
      } catch (err) {
        this.config.say(`nemesis failed: ${(err as Error).message}`);
      }
    }
  }

  private async fault(kind: NemesisKind): Promise<void> {
    if (kind === 'kill') await this.kill();
    else if (kind === 'pause') await this.pause();
    else if (kind === 'partition') await this.partition();
    else if (kind === 'clock') await this.clock();
  }

  private running(): FaultNode[] {
    return this.config.cluster.members.filter((n) => n.running && !n.paused);
  }

  /** The leader (60%) or a random running member. */
  private async target(): Promise<{ node: FaultNode; role: string } | undefined> {
    const { rng, cluster } = this.config;
    if (rng.chance(0.6)) {
      const leader = await cluster.anyLeader();
      if (leader && !leader.paused) return { node: leader, role: 'leader' };
    }
    const nodes = this.running();
    if (nodes.length === 0) return undefined;
    return { node: nodes[rng.int(nodes.length)] as FaultNode, role: 'random' };
  }

  private async kill(): Promise<void> {
    const { cluster, recorder, rng } = this.config;
    const all = rng.chance(this.config.killAllChance);
    const picked = all ? undefined : await this.target();
    const victims = all ? cluster.members.filter((n) => n.running) : picked ? [picked.node] : [];
    if (victims.length === 0) return;
    const label = all ? `kill -9 all (${victims.map((n) => n.id).join(' ')})` : `kill -9 ${victims[0]?.id} (${picked?.role})`;
    const end = recorder.startNemesis('kill', label, { nodes: victims.map((n) => n.id) });
    await Promise.all(victims.map((n) => n.kill9()));
    await this.hold(this.between(this.config.faultMs));
    for (const n of victims) if (n.member) this.restart(n);
    end();
  }

  /** Starts a member again; --join lets one that never finished joining try again. */
  restart(node: FaultNode): void {
    const other = this.config.cluster.members.find((n) => n !== node);
    node.start(other ? ['--join', other.addr] : []);
  }

  private async pause(): Promise<void> {
    const picked = await this.target();
    if (!picked) return;
    const end = this.config.recorder.startNemesis('pause', `SIGSTOP ${picked.node.id} (${picked.role})`, { nodes: [picked.node.id] });
    picked.node.pause();
    await this.hold(this.between(this.config.faultMs));
    picked.node.resume();
    end();
  }

  private async partition(): Promise<void> {
    const net = this.config.net;
    if (!net) return;
    const members = this.config.cluster.members.map((n) => n.id);
    const leader = (await this.config.cluster.anyLeader())?.id;
    const plan = partitionPlan(members, leader, this.config.rng);
    if (!plan) return;
    const end = this.config.recorder.startNemesis('partition', plan.label, { links: plan.links.map(([a, b]) => `${a}>${b}`) });
    net.cut(plan.links);
    await this.hold(this.between(this.config.faultMs));
    net.healAll();
    end();
  }

  private async clock(): Promise<void> {
    const picked = await this.target();
    if (!picked) return;
    const { rng, recorder } = this.config;
    const offset = (rng.chance(0.5) ? 1 : -1) * rng.range(2000, 30_000);
    const label = `clock ${picked.node.id} (${picked.role}) ${offset > 0 ? '+' : ''}${(offset / 1000).toFixed(1)} s`;
    const end = recorder.startNemesis('clock', label, { node: picked.node.id, offsetMs: offset });
    await picked.node.call(['DEBUG', 'CLOCK-OFFSET', offset]).catch(() => undefined);
    await this.hold(this.between(this.config.faultMs));
    await picked.node.call(['DEBUG', 'CLOCK-OFFSET', 0]).catch(() => undefined);
    end();
  }

  private async snapshot(): Promise<void> {
    const nodes = this.running();
    if (nodes.length === 0) return;
    const node = nodes[this.config.rng.int(nodes.length)] as FaultNode;
    const ok = await node.call(['RAFT', 'SNAPSHOT', 'NOW'], 5000).then(() => true, () => false);
    this.config.recorder.markNemesis('snapshot', `snapshot ${node.id}${ok ? '' : ' (refused)'}`, { node: node.id });
  }

  private async membership(): Promise<void> {
    const { cluster, rng } = this.config;
    const changed = await cluster.reconcile();
    for (const n of changed?.dropped ?? []) {
      this.config.say(`membership: ${n.id} is not in the configuration after all; stopping it`);
      n.resume();
      await n.kill9();
    }
    for (const n of changed?.added ?? []) {
      this.config.say(`membership: ${n.id} is in the configuration after all`);
      if (!n.running) this.restart(n);
    }
    const size = cluster.members.length;
    const add = size < 3 + 1 || (size < this.config.maxNodes && rng.chance(0.5));
    if (add) await this.addNode();
    else await this.removeNode();
  }

  private async addNode(): Promise<void> {
    const { cluster, recorder } = this.config;
    const via = this.running()[0];
    if (!via) return;
    const node = await cluster.createNode();
    const end = recorder.startNemesis('membership', `add ${node.id}`, { node: node.id, change: 'add' });
    node.start(['--join', via.addr]);
    const joined = await this.until(20_000, async () => (await cluster.voters())?.includes(node.id) === true);
    end();
    if (!joined) this.config.say(`membership: ${node.id} not a voter after 20 s (it keeps trying)`);
  }

  private async removeNode(): Promise<void> {
    const { cluster, recorder, rng } = this.config;
    const members = cluster.members;
    if (members.length === 0) return;
    const victim = members[rng.int(members.length)] as FaultNode;
    const end = recorder.startNemesis('membership', `remove ${victim.id}`, { node: victim.id, change: 'remove' });
    let last = '';
    const removed = await this.until(15_000, async () => {
      const via = this.running().find((n) => n !== victim) ?? this.running()[0];
      if (!via) return false;
      last = await via.call(['RAFT', 'SERVER', 'REMOVE', victim.id], 5000).then(
        (reply) => `${via.id}: ${String(reply)}`,
        (err: unknown) => `${via.id}: ${(err as Error).message}`,
      );
      const voters = await cluster.voters().catch(() => undefined);
      if (voters === undefined) last += '; no majority leader to read the configuration from';
      return voters !== undefined && !voters.includes(victim.id);
    });
    if (removed) {
      victim.member = false;
      victim.resume();
      await victim.kill9();
    } else {
      this.config.say(`membership: ${victim.id} still a voter after 15 s (last answer ${last})`);
    }
    end();
  }

  /** Polls `check` until true or ms pass (false); also ends early on stop(). */
  private async until(ms: number, check: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }
}
