/**
 * The command language of the golden interaction scripts (after etcd's interaction
 * tests). Each command drives the Cluster harness and returns the lines it printed.
 *
 *   add-nodes n1 n2 n3 [learners=n4,n5] [join] [preVote] [checkQuorum] [chunk=BYTES] [inflight=N] [async]
 *   campaign ID | tick ID [COUNT] | propose ID DATA | read-index ID CTX
 *   persist ID [COUNT]   (async nodes: sync, acknowledge COUNT writes, release held messages)
 *   conf-change ID addLearner|addVoter|promote|remove TARGET
 *   transfer ID TARGET|any
 *   process-ready ID... | deliver ID... | drop ID... | stabilize [ID...]
 *   isolate ID | cut FROM TO | heal
 *   status ID... | log ID | applied ID | snapshot ID | restart ID
 */
import type { ConfChangeOp, NodeId, ProposeResult } from '../../lib/raft/core/types.js';
import { Cluster, encoder, type ConfigOverrides } from './harness.js';
import * as fmt from './golden-format.js';

type Handler = (c: Cluster, args: string[]) => string[];

function result(r: ProposeResult): string[] {
  return [r.ok ? `ok index=${r.index}` : `refused: ${r.reason}${r.detail === undefined ? '' : ` (${r.detail})`}`];
}

function need(args: string[], n: number, usage: string): void {
  if (args.length < n) throw new Error(`usage: ${usage}`);
}

function addNodes(c: Cluster, args: string[]): string[] {
  const ids: NodeId[] = [];
  let learners: NodeId[] = [];
  let join = false;
  const overrides: { -readonly [K in keyof ConfigOverrides]: ConfigOverrides[K] } = {};
  for (const a of args) {
    if (a.startsWith('learners=')) learners = a.slice('learners='.length).split(',');
    else if (a === 'join') join = true;
    else if (a === 'preVote') overrides.preVote = true;
    else if (a === 'checkQuorum') overrides.checkQuorum = true;
    else if (a.startsWith('chunk=')) overrides.snapshotChunkBytes = Number(a.slice(6));
    else if (a.startsWith('inflight=')) overrides.maxInflightMsgs = Number(a.slice(9));
    else if (a === 'async') overrides.asyncPersistence = true;
    else ids.push(a);
  }
  c.add(ids, { learners, join, overrides });
  return [...ids, ...learners].map((id) => fmt.status(c.core(id).status()));
}

function processReady(c: Cluster, ids: string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const r = c.processReady(id);
    out.push(...(r === null ? [`${id}: no ready`] : fmt.ready(id, r.ready)));
  }
  return out;
}

function deliver(c: Cluster, ids: string[], drop: boolean): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const msgs = drop ? c.drop(id) : c.deliver(id);
    if (msgs.length === 0) continue;
    out.push(`${id} ${drop ? 'drops' : 'receives'}:`);
    for (const m of msgs) out.push(`  ${fmt.message(m)}`);
  }
  return out;
}

function persist(c: Cluster, [id, count]: string[]): string[] {
  const node = c.node(id as string);
  const writes = node.held.filter((h) => h.persistTo !== null).length;
  const sent = c.persist(id as string, count === undefined ? undefined : Number(count));
  return fmt.persisted(id as string, writes - node.held.filter((h) => h.persistTo !== null).length, sent);
}

function stabilize(c: Cluster, ids: string[]): string[] {
  const out: string[] = [];
  c.stabilize(ids.length > 0 ? ids : undefined, (what, id, detail) => {
    if (what === 'ready') out.push(...fmt.ready(id, detail as Parameters<typeof fmt.ready>[1]));
    else if (what === 'persist') {
      const d = detail as { writes: number; sent: Parameters<typeof fmt.message>[0][] };
      out.push(...fmt.persisted(id, d.writes, d.sent));
    } else {
      out.push(`${id} receives:`);
      for (const m of detail as Parameters<typeof fmt.message>[0][]) out.push(`  ${fmt.message(m)}`);
    }
  });
  return out;
}

const commands: Record<string, Handler> = {
  'add-nodes': addNodes,
  campaign: (c, [id]) => {
    c.core(id as string).campaign();
    return [];
  },
  tick: (c, [id, count]) => {
    c.tick(id as string, Number(count ?? 1));
    return [];
  },
  propose: (c, args) => {
    need(args, 2, 'propose ID DATA');
    return result(c.core(args[0] as string).propose(encoder.encode(args.slice(1).join(' '))));
  },
  'read-index': (c, [id, ctx]) => {
    c.core(id as string).readIndex(encoder.encode(ctx ?? ''));
    return [];
  },
  'conf-change': (c, args) => {
    need(args, 3, 'conf-change ID OP TARGET');
    const [id, op, target] = args as [string, ConfChangeOp, string];
    return result(c.core(id).proposeConfChange({ op, id: target, addr: op === 'addLearner' || op === 'addVoter' ? `${target}:1` : '' }));
  },
  transfer: (c, [id, target]) => result(c.core(id as string).transferLeadership(target === 'any' ? null : (target as string))),
  'process-ready': processReady,
  persist,
  deliver: (c, ids) => deliver(c, ids, false),
  drop: (c, ids) => deliver(c, ids, true),
  stabilize,
  isolate: (c, [id]) => {
    c.isolate(id as string);
    return [];
  },
  cut: (c, [from, to]) => {
    c.cut.add(`${from}->${to}`);
    return [];
  },
  heal: (c) => {
    c.heal();
    return [];
  },
  status: (c, ids) => ids.map((id) => fmt.status(c.core(id).status())),
  log: (c, [id]) => {
    const core = c.core(id as string);
    const node = c.node(id as string);
    const stable = node.log.lastIndex() >= node.log.firstIndex() ? node.log.entries(node.log.firstIndex(), node.log.lastIndex() + 1, Infinity) : [];
    return [`${id} log ${node.log.firstIndex()}..${node.log.lastIndex()} (commit ${core.status().commit}): ${fmt.entries(stable)}`];
  },
  applied: (c, [id]) => [`${id} applied=${c.node(id as string).appliedIndex}: ${c.node(id as string).appliedData().join(' ')}`],
  'read-states': (c, [id]) => c.node(id as string).readStates.map((rs) => `ctx=${fmt.bytes(rs.ctx)} index=${rs.index}`),
  snapshot: (c, [id]) => {
    const node = c.node(id as string);
    node.takeSnapshot();
    const info = node.snapshots.latest();
    return info === null ? ['no snapshot'] : [`${id} snapshot ${info.meta.term}/${info.meta.index} ${fmt.conf(info.meta.conf)} bytes=${info.size}; log now ${node.log.firstIndex()}..${node.log.lastIndex()}`];
  },
  restart: (c, [id]) => {
    c.node(id as string).restart();
    return [fmt.status(c.core(id as string).status())];
  },
};

export function runCommand(c: Cluster, line: string): string[] {
  const [name, ...args] = line.trim().split(/\s+/);
  const handler = commands[name ?? ''];
  if (handler === undefined) throw new Error(`unknown command: ${line}`);
  return handler(c, args).flatMap((l) => l.split('\n'));
}
