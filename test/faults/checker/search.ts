/**
 * The linearizability search for ONE partition (one key): Wing & Gong's algorithm with
 * Lowe's just-in-time linearization and memoization, as in Porcupine.
 *
 * Calls and returns form a time-ordered doubly linked list. The search walks it: at a
 * call it tries to linearize that op now (the model must accept it, and the pair
 * {linearized set, model state} must be new); at a return it is stuck, because that op
 * had to take effect before it returned, and it backtracks. The memo (a bitset of
 * linearized ops plus the state) prunes every configuration already explored.
 *
 * An op with an unknown outcome has a call but no return: it may be linearized at any
 * point after its invocation, or never. The search succeeds once every op that did
 * return has been linearized.
 */
import { performance } from 'node:perf_hooks';
import { assert } from '../../../lib/util/assert.js';
import { LinearizedSet, Memo } from './search-memo.js';

export interface Model<S, I, O> {
  init(): S;
  /** The state after `input`, or undefined when the op cannot have given `output`.
   *  `output` is undefined for an op with an unknown outcome: any output goes. */
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** Equal states give equal keys and different states different keys (memo identity). */
  stateKey(state: S): string;
}

export interface SearchOp<I, O> {
  input: I;
  output: O | undefined;
  callMs: number;
  /** Infinity for an op with an unknown outcome. */
  returnMs: number;
  /** Index of an op that must be linearized before this one may be (symmetry
   *  reduction: interchangeable ops are taken in one fixed order). */
  after?: number;
}

export interface SearchLimits {
  /** performance.now() value after which the search gives up. */
  deadlineMs: number;
  /** Memo size after which the search gives up (memory bound). */
  maxMemoEntries: number;
}

/** Where the search got furthest before failing: the evidence shown to a person. */
export interface SearchWitness<S> {
  /** How many ops were linearized at the dead end. */
  depth: number;
  /** The last of them (up to 32), in order, with the state after each. */
  tail: { op: number; stateAfter: S }[];
  /** The op that had to take effect before it returned but could not. */
  stuck: number;
  /** Ops pending at that point (invoked, not linearized): all tried and failed. */
  candidates: number[];
  stateBefore: S;
}

export type SearchResult<S> =
  | { kind: 'linearizable'; steps: number; memoEntries: number }
  | { kind: 'not-linearizable'; steps: number; memoEntries: number; witness: SearchWitness<S> }
  | { kind: 'gave-up'; reason: string; steps: number; memoEntries: number };

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  /** For a call: its return node, or null when the outcome is unknown. */
  ret: Node | null;
  prev: Node | null;
  next: Node | null;
}

/** Call before return at equal times: touching intervals count as concurrent. */
function buildList<I, O>(ops: readonly SearchOp<I, O>[]): { head: Node; returns: number } {
  const nodes: Node[] = [];
  let returns = 0;
  ops.forEach((op, index) => {
    const call: Node = { op: index, isCall: true, time: op.callMs, ret: null, prev: null, next: null };
    nodes.push(call);
    if (Number.isFinite(op.returnMs)) {
      assert(op.returnMs >= op.callMs, () => `op ${index} returns before it is called`);
      const ret: Node = { op: index, isCall: false, time: op.returnMs, ret: null, prev: null, next: null };
      call.ret = ret;
      nodes.push(ret);
      returns++;
    }
  });
  nodes.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
  const head: Node = { op: -1, isCall: false, time: -Infinity, ret: null, prev: null, next: null };
  let last = head;
  for (const node of nodes) {
    last.next = node;
    node.prev = last;
    last = node;
  }
  return { head, returns };
}

function lift(call: Node): void {
  unlink(call);
  if (call.ret) unlink(call.ret);
}

function unlink(node: Node): void {
  (node.prev as Node).next = node.next; // every listed node has a prev (the head at least)
  if (node.next) node.next.prev = node.prev;
}

/** Undoes lift: relink the return first, then the call (reverse order of removal). */
function unlift(call: Node): void {
  if (call.ret) relink(call.ret);
  relink(call);
}

function relink(node: Node): void {
  (node.prev as Node).next = node;
  if (node.next) node.next.prev = node;
}

interface Frame<S> {
  call: Node;
  stateBefore: S;
  /** The linearized set's low/high marks before this op was added. */
  low: number;
  high: number;
}

export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  limits: SearchLimits,
): SearchResult<S> {
  const { head, returns } = buildList(ops);
  const linearized = new LinearizedSet(ops.map((op) => Number.isFinite(op.returnMs)));
  const stateIds = new Map<string, number>();
  const idOf = (state: S): number => {
    const key = model.stateKey(state);
    let id = stateIds.get(key);
    if (id === undefined) stateIds.set(key, (id = stateIds.size));
    return id;
  };
  const memo = new Memo();
  const stack: Frame<S>[] = [];
  const best = new BestFailure<S>();
  let remainingReturns = returns;
  let state = model.init();
  let entry = head.next;
  let steps = 0;

  while (remainingReturns > 0) {
    assert(entry !== null, 'the search ran past the last return');
    if (++steps % 4096 === 0) {
      if (performance.now() > limits.deadlineMs) return gaveUp('time budget exhausted', steps, memo);
      if (memo.size > limits.maxMemoEntries) return gaveUp('memo too large', steps, memo);
    }
    if (entry.isCall) {
      const op = ops[entry.op] as SearchOp<I, O>;
      const waits = op.after !== undefined && !linearized.has(op.after);
      const next = waits ? undefined : model.step(state, op.input, op.output);
      if (next !== undefined) {
        const { low, high } = linearized;
        linearized.add(entry.op);
        if (memo.add(linearized, idOf(next))) {
          stack.push({ call: entry, stateBefore: state, low, high });
          state = next;
          if (entry.ret) remainingReturns--;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.remove(entry.op, low, high);
      }
      entry = entry.next;
      continue;
    }
    // A return whose op is not linearized yet: this path is dead.
    best.consider(stack, entry, head, state);
    const frame = stack.pop();
    if (!frame) return { kind: 'not-linearizable', steps, memoEntries: memo.size, witness: best.witness() };
    unlift(frame.call);
    linearized.remove(frame.call.op, frame.low, frame.high);
    if (frame.call.ret) remainingReturns++;
    state = frame.stateBefore;
    entry = frame.call.next;
  }
  return { kind: 'linearizable', steps, memoEntries: memo.size };
}

function gaveUp<S>(reason: string, steps: number, memo: Memo): SearchResult<S> {
  return { kind: 'gave-up', reason, steps, memoEntries: memo.size };
}

/** Frames kept for a witness: enough context, without copying a deep stack each time. */
const WITNESS_TAIL = 32;

/** Keeps the deepest dead end: the longest prefix that could be linearized. */
class BestFailure<S> {
  private depth = -1;
  private snapshot: { tail: Frame<S>[]; finalState: S; stuck: number; candidates: number[] } | undefined;

  consider(stack: readonly Frame<S>[], stuck: Node, head: Node, state: S): void {
    if (stack.length <= this.depth) return;
    this.depth = stack.length;
    const candidates: number[] = [];
    for (let node = head.next; node && node !== stuck; node = node.next) {
      if (node.isCall) candidates.push(node.op);
    }
    this.snapshot = { tail: stack.slice(-WITNESS_TAIL), finalState: state, stuck: stuck.op, candidates };
  }

  witness(): SearchWitness<S> {
    const snap = this.snapshot;
    assert(snap !== undefined, 'a failed search has at least one dead end');
    const tail = snap.tail.map((frame, i) => {
      // Not `??`: a state may itself be null (an empty register).
      const next = snap.tail[i + 1];
      const after = next === undefined ? snap.finalState : next.stateBefore;
      return { op: frame.call.op, stateAfter: after };
    });
    return { depth: this.depth, tail, stuck: snap.stuck, candidates: snap.candidates, stateBefore: snap.finalState };
  }
}
