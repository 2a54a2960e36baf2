/**
 * The deterministic simulator: N Raft cores with their drivers in one process, on a
 * simulated clock, over a seeded network and disk, under seeded faults and client load,
 * with the checkers run as it goes. Everything derives from one seed, so a failing seed
 * replays bit for bit (`bin/sim.ts --seed N`).
 *
 * A step is one tick interval (TICK time units): every live node ticks once, at its own
 * phase within the step, and every message, disk completion and timer due within the
 * step runs in time order.
 */
import type { ConfState, Entry, Message, NodeId, ReadState, Ready, SnapshotMeta } from '../../lib/raft/core/types.js';
import { rngFromSeed, type Rng } from '../../lib/util/rng.js';
import { Checker } from './checker.js';
import { Clients, type ClientStats, type Workload } from './clients.js';
import { EventQueue } from './event-queue.js';
import { Faults, drawFaultProfile, type FaultProfile, type FaultTarget } from './faults.js';
import type { KvMachine, Write } from './kv.js';
import { Network, type NetworkProfile, type NetworkStats } from './network.js';
import { SimNode, type CoreSettings, type NodeHost } from './sim-node.js';
import { createMessageDecoder, encodeMessage } from '../../lib/transport/message-codec.js';

export const TICK = 10;

export interface SimOptions {
  readonly seed: number;
  readonly steps: number;
  /** Receives a line per notable event (faults, leaders, membership). */
  readonly trace?: (line: string) => void;
  /** After the faulty steps, heal everything and require progress (default true). */
  readonly checkLiveness?: boolean;
  readonly livenessSteps?: number;
  readonly workload?: Partial<Workload>;
  /**
   * The driver mode (RaftConfig.asyncPersistence): by default odd seeds pipeline their
   * persistence and even seeds persist each Ready before advance().
   */
  readonly persistence?: 'sync' | 'async';
  /** Bug injection for checker tests: the async driver sends held messages before they are durable. */
  readonly sendBeforePersist?: boolean;
}

export function persistenceOf(options: Pick<SimOptions, 'seed' | 'persistence'>): 'sync' | 'async' {
  return options.persistence ?? (options.seed % 2 === 1 ? 'async' : 'sync');
}

export interface SimStats {
  persistence: 'sync' | 'async';
  steps: number;
  leadersElected: number;
  committed: number;
  crashes: number;
  confChanges: number;
  transfers: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  network: NetworkStats;
  clients: ClientStats;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violation: { readonly step: number; readonly message: string } | null;
  readonly stats: SimStats;
}

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

function drawCoreSettings(rng: Rng): CoreSettings {
  const electionTicks = rng.range(5, 15);
  return {
    electionTicks,
    heartbeatTicks: rng.range(1, Math.min(3, electionTicks - 1)),
    preVote: rng.chance(0.8),
    checkQuorum: rng.chance(0.8),
    maxMsgBytes: rng.range(16, 400),
    maxInflightMsgs: rng.range(1, 8),
    snapshotChunkBytes: rng.range(16, 300),
    maxInflightSnapshotChunks: rng.range(1, 4),
    maxCommittedBytesPerReady: rng.range(16, 2000),
  };
}

function drawNetworkProfile(rng: Rng): NetworkProfile {
  return {
    dropRate: rng.float() * 0.1,
    dupRate: rng.float() * 0.05,
    minDelay: 1,
    maxDelay: rng.range(2, 25),
    slowRate: 0.02,
    slowDelay: 200,
  };
}

class Simulation implements NodeHost, FaultTarget {
  step = 0;
  private time = 0;
  private readonly queue = new EventQueue();
  private readonly nodes: SimNode[] = [];
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly checker = new Checker();
  private readonly network: Network;
  private readonly clients: Clients;
  private readonly faults: Faults;
  private readonly settings: CoreSettings;
  private readonly nodeRng: Rng;
  private readonly diskRng: Rng;
  private readonly diskMax: number;
  private readonly snapshotEvery: number;
  private readonly snapshotTrailing: number;
  private readonly appliedBeforeCrash = new Map<SimNode, number>();
  private snapshotsTaken = 0;
  private snapshotsInstalled = 0;
  private lastLeader: string | null = null;
  private faultsOn = true;
  private readonly driftChance: number;
  private readonly leaderCommitSeen = new Map<SimNode, number>();
  private readonly persistence: 'sync' | 'async';
  /** asyncPersistence: chance that the acknowledgements of one sync are spread over time. */
  private readonly ackSpread: number;
  private readonly ackRng: Rng | null;
  readonly sendBeforePersist: boolean;
  private committedConf: { index: number; conf: ConfState } = { index: 0, conf: { voters: [], learners: [] } };

  constructor(private readonly options: SimOptions) {
    const root = rngFromSeed(options.seed);
    this.settings = drawCoreSettings(root);
    const netRng = root.fork();
    // Some runs send every message through the real wire codec (msgpack, checked decode).
    const wire = root.chance(0.2) ? wireCodec() : null;
    this.network = new Network(netRng, drawNetworkProfile(root), (d, run) => this.schedule(d, run), (m) => this.deliver(m), wire);
    this.nodeRng = root.fork();
    this.diskRng = root.fork();
    this.diskMax = root.range(1, 15);
    this.snapshotEvery = root.range(8, 80);
    this.snapshotTrailing = root.range(0, 5);
    this.driftChance = root.chance(0.5) ? root.float() : 0;
    const voters = [1, 3, 3, 5, 5][root.int(5)] as number;
    const profile: FaultProfile = drawFaultProfile(root);
    this.faults = new Faults(root.fork(), profile, voters);
    const workload: Workload = { clients: 6, keys: 4, opRate: 0.7, readRatio: 0.4, timeoutSteps: 30, ...options.workload };
    this.clients = new Clients(root.fork(), workload);
    // Drawn last, and only for async runs, so sync seeds replay as they always did.
    this.persistence = persistenceOf(options);
    this.sendBeforePersist = options.sendBeforePersist === true;
    if (this.persistence === 'async') {
      this.settings = { ...this.settings, asyncPersistence: true };
      this.ackSpread = root.chance(0.5) ? root.float() : 0;
      this.ackRng = root.fork();
    } else {
      this.ackSpread = 0;
      this.ackRng = null;
    }
    const ids = Array.from({ length: voters }, (_, i) => `n${i + 1}`);
    const conf: ConfState = { voters: ids.map((id) => ({ id, addr: 'sim' })), learners: [] };
    for (const id of ids) this.createNode(id, conf).start();
    this.trace(`seed ${options.seed}: ${this.persistence} persistence, ${voters} voters, ${JSON.stringify(this.settings)}, network ${JSON.stringify(this.network.profile)}, faults ${JSON.stringify(profile)}`);
  }

  run(): SimResult {
    let violation: SimResult['violation'] = null;
    try {
      for (; this.step < this.options.steps; this.step++) this.runStep(true);
      if (this.options.checkLiveness !== false) this.checkLiveness();
    } catch (err) {
      violation = { step: this.step, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    return { seed: this.options.seed, ok: violation === null, violation, stats: this.stats() };
  }

  private runStep(faultsOn: boolean): void {
    const start = this.step * TICK;
    this.faultsOn = faultsOn;
    if (faultsOn) this.faults.atStep(this);
    const live = this.liveNodes();
    // A paused process answers nobody.
    this.clients.atStep(this.step, live.filter((n) => !n.paused));
    for (const n of live) n.maybeSnapshot(this.snapshotEvery, this.snapshotTrailing);
    if (this.step % 10 === 0) this.retireRemoved();
    for (const n of live) {
      // Clocks drift: a node may tick a little faster or slower than the others.
      n.tickCredit += n.tickRate;
      for (let k = 0; n.tickCredit >= 1; k++, n.tickCredit--) this.queue.push(start + ((n.phase + k * 3) % TICK), () => n.tick());
    }
    for (;;) {
      const e = this.queue.popBefore(start + TICK);
      if (e === undefined) break;
      this.time = e.time;
      e.run();
    }
    this.time = start + TICK;
  }

  /** Heals every fault, restarts every node, and requires a write to be acknowledged. */
  private checkLiveness(): void {
    this.network.heal();
    for (const n of this.nodes) {
      if (n.retired) continue;
      if (!n.up) this.restart(n);
      else if (n.paused) n.resume();
    }
    const healedAt = this.step;
    this.trace(`step ${this.step}: healed everything; checking progress`);
    const end = this.step + (this.options.livenessSteps ?? 300);
    for (; this.step < end; this.step++) this.runStep(false);
    if (this.clients.lastAckStep < healedAt) {
      throw new Error(`liveness: no write was acknowledged in ${end - healedAt} steps after healing every fault (leader: ${this.leader()?.id ?? 'none'})`);
    }
  }

  // ---- FaultTarget ----

  liveNodes(): SimNode[] {
    return this.nodes.filter((n) => n.up);
  }

  allNodes(): SimNode[] {
    return this.nodes;
  }

  leader(): SimNode | null {
    let best: SimNode | null = null;
    for (const n of this.nodes) {
      const r = n.core?.raft;
      if (r === undefined || r.role !== 'leader' || n.paused) continue;
      if (best === null || r.term > (best.core?.raft.term ?? 0)) best = n;
    }
    return best;
  }

  crash(node: SimNode, keepUnsynced: number, restartAfterSteps: number | null): void {
    if (!node.up) return;
    this.appliedBeforeCrash.set(node, node.kv.appliedIndex);
    node.crash(keepUnsynced);
    this.trace(`step ${this.step}: crash ${node.id} (keeping ${keepUnsynced} unsynced entries)`);
    if (restartAfterSteps !== null) {
      this.schedule(restartAfterSteps * TICK, () => {
        if (!node.up && !node.retired) this.restart(node);
      });
    }
  }

  private restart(node: SimNode): void {
    node.start();
    this.checker.checkRecovered(node, this.appliedBeforeCrash.get(node) ?? 0);
    this.trace(`step ${this.step}: restart ${node.id} (log ${node.log.firstIndex()}..${node.log.lastIndex()}, term ${node.core?.raft.term})`);
  }

  pause(node: SimNode, steps: number): void {
    node.paused = true;
    const incarnation = node.incarnation;
    this.trace(`step ${this.step}: pause ${node.id} for ${steps} steps`);
    this.schedule(steps * TICK, () => {
      if (node.incarnation === incarnation && node.up) node.resume();
    });
  }

  partition(a: NodeId[], b: NodeId[], oneWay: boolean, steps: number): void {
    if (oneWay) for (const to of b) this.network.cutOneWay(a[0] as NodeId, to);
    else this.network.partition(a, b);
    this.trace(`step ${this.step}: partition ${this.network.describe()} for ${steps} steps`);
    this.schedule(steps * TICK, () => this.network.heal());
  }

  addNode(id: NodeId): SimNode {
    const node = this.createNode(id, undefined);
    node.start();
    this.trace(`step ${this.step}: new node ${id}`);
    return node;
  }

  trace(line: string): void {
    this.options.trace?.(line);
  }

  private createNode(id: NodeId, bootstrap: ConfState | undefined): SimNode {
    const node = new SimNode(id, this.nodeRng.int(TICK), bootstrap, this.settings, this.nodeRng.fork(), this, this.step);
    if (this.nodeRng.chance(this.driftChance)) node.tickRate = 0.7 + this.nodeRng.float() * 0.6;
    this.nodes.push(node);
    this.byId.set(id, node);
    return node;
  }

  /** Nodes removed by a committed configuration are shut down for good. */
  private retireRemoved(): void {
    const conf = this.committedConf.conf;
    if (conf.voters.length === 0) return;
    for (const n of this.nodes) {
      if (n.retired || this.step - n.createdStep < 100) continue;
      if (isMember(conf, n.id)) continue;
      // An addition not committed yet may still commit: wait until no live node has it.
      if (this.nodes.some((o) => o.core !== null && o.core.raft.membership.isMember(n.id))) continue;
      if (n.up) n.crash(0);
      n.retired = true;
      this.trace(`step ${this.step}: retire ${n.id} (not in the committed configuration)`);
    }
  }

  /** The configuration as of the highest index known committed. */
  private noteCommittedConf(index: number, conf: ConfState): void {
    if (index > this.committedConf.index) this.committedConf = { index, conf };
  }

  // ---- NodeHost ----

  schedule(delay: number, run: () => void): void {
    this.queue.push(this.time + Math.max(1, delay), run);
  }

  diskDelay(): number {
    return this.diskRng.range(1, this.diskMax);
  }

  ackDelay(): number {
    const rng = this.ackRng;
    return rng !== null && rng.chance(this.ackSpread) ? rng.range(1, 4) : 0;
  }

  send(messages: readonly Message[]): void {
    this.checker.onSend(messages);
    this.network.send(messages);
  }

  private deliver(m: Message): void {
    this.byId.get(m.to)?.receive(m);
  }

  onReady(node: SimNode, rd: Ready): void {
    this.checker.onReady(node, rd);
  }

  onPersist(node: SimNode, entries: readonly Entry[]): void {
    this.checker.onPersist(node, entries);
  }

  onApply(node: SimNode, entry: Entry, write: Write | null): void {
    this.checker.onApply(node, entry);
    this.noteCommittedConf(entry.index, node.kv.conf);
    this.clients.onApply(node, entry.index, write, this.step);
  }

  onReadState(node: SimNode, rs: ReadState): void {
    this.clients.onReadState(node, rs, this.step);
  }

  onSnapshot(node: SimNode, meta: SnapshotMeta, kv: KvMachine, installed: boolean): void {
    if (installed) this.snapshotsInstalled++;
    else this.snapshotsTaken++;
    this.checker.onSnapshot(node, meta, kv, installed);
    this.noteCommittedConf(meta.index, meta.conf);
  }

  observe(node: SimNode): void {
    this.checker.observe(node);
    this.checker.checkCommitDurable(node, (id, index, term) => this.byId.get(id)?.durablyHolds(index, term) === true);
    const r = node.core?.raft;
    if (r === undefined || r.role !== 'leader') return;
    if (this.faultsOn && r.log.committed > (this.leaderCommitSeen.get(node) ?? 0)) {
      this.leaderCommitSeen.set(node, r.log.committed);
      this.faults.onLeaderCommit(this, node);
    }
    const key = `${node.id}@${r.term}`;
    if (key === this.lastLeader) return;
    this.lastLeader = key;
    this.trace(`step ${this.step}: ${node.id} leads term ${r.term} (last index ${r.log.lastIndex()}, commit ${r.log.committed})`);
    if (this.faultsOn) this.faults.onNewLeader(this, node);
  }

  later(units: number, fn: () => void): void {
    this.schedule(units, fn);
  }

  private stats(): SimStats {
    return {
      persistence: this.persistence,
      steps: this.step,
      leadersElected: this.checker.leadersElected,
      committed: this.checker.maxCommitted,
      crashes: this.faults.crashes,
      confChanges: this.faults.confChanges,
      transfers: this.faults.transfers,
      snapshotsTaken: this.snapshotsTaken,
      snapshotsInstalled: this.snapshotsInstalled,
      network: this.network.stats,
      clients: this.clients.stats,
    };
  }
}

function isMember(conf: ConfState, id: NodeId): boolean {
  return conf.voters.some((m) => m.id === id) || conf.learners.some((m) => m.id === id);
}

function wireCodec(): (m: Message) => Message {
  const decode = createMessageDecoder(64 * 1024 * 1024);
  return (m) => decode(encodeMessage(m));
}
