/** COMMAND INFO / DOCS metadata of every semaphored command (what redis-cli shows as hints). */
import type { ArgumentSpec, CommandSpec } from '../../lib/framework/app.js';

const SINCE = '0.1.0';
const GROUP = 'semaphore';

const key: ArgumentSpec = { name: 'key', type: 'key' };
const fence: ArgumentSpec = { name: 'fence', type: 'integer' };
const ms = (name: string, token: string): ArgumentSpec => ({ name, type: 'integer', token, optional: true });

const waitArguments: readonly ArgumentSpec[] = [
  ms('timeout-ms', 'TIMEOUT'),
  ms('lease-ms', 'LEASE'),
  { name: 'request-id', type: 'string', token: 'ID', optional: true },
  { name: 'nowait', type: 'pure-token', token: 'NOWAIT', optional: true },
];

function spec(arity: number, flags: readonly string[], summary: string, complexity: string, args: readonly ArgumentSpec[], keyed = true): CommandSpec {
  return {
    arity,
    flags,
    firstKey: keyed ? 1 : 0,
    lastKey: keyed ? 1 : 0,
    step: keyed ? 1 : 0,
    summary,
    since: SINCE,
    group: GROUP,
    complexity,
    arguments: args,
  };
}

export const specs = {
  create: spec(-3, ['write', 'denyoom'], 'Creates a semaphore, or changes its capacity and options.', 'O(1); O(W) when shrinking with W waiters', [
    key,
    { name: 'capacity', type: 'integer' },
    ms('default-lease-ms', 'DEFAULTLEASE'),
    ms('max-lease-ms', 'MAXLEASE'),
    ms('lock-delay-ms', 'LOCKDELAY'),
    {
      name: 'policy',
      type: 'oneof',
      token: 'POLICY',
      optional: true,
      arguments: [
        { name: 'fifo', type: 'pure-token', token: 'FIFO' },
        { name: 'firstfit', type: 'pure-token', token: 'FIRSTFIT' },
      ],
    },
    { name: 'nx', type: 'pure-token', token: 'NX', optional: true },
  ]),
  acquire: {
    ...spec(-2, ['write', 'denyoom', 'blocking'], 'Takes permits, waiting in a FIFO queue until granted, timed out or cancelled.', 'O(log N)', [
      key,
      { name: 'permits', type: 'integer', token: 'PERMITS', optional: true },
      ...waitArguments,
    ]),
    blocking: true,
  },
  wait: {
    ...spec(-2, ['write', 'denyoom', 'blocking'], 'SEM.ACQUIRE of one permit.', 'O(log N)', [key, ...waitArguments]),
    blocking: true,
  },
  release: spec(-3, ['write', 'fast'], 'Releases grants by fence; unknown or ended fences count 0.', 'O(F log N) for F fences', [
    key,
    { ...fence, multiple: true },
  ]),
  signal: spec(-3, ['write', 'fast'], 'SEM.RELEASE under its classic name.', 'O(F log N) for F fences', [key, { ...fence, multiple: true }]),
  renew: spec(-3, ['write', 'fast'], 'Extends the lease of a grant; -2 if it no longer holds.', 'O(log N)', [key, fence, ms('lease-ms', 'LEASE')]),
  cancel: spec(3, ['write', 'fast'], 'Cancels a waiting acquire by its request ID.', 'O(log N)', [key, { name: 'request-id', type: 'string' }]),
  check: spec(3, ['readonly', 'fast'], 'Tells whether a grant is still valid (1) or not (0).', 'O(1)', [key, fence]),
  revoke: spec(3, ['write', 'fast'], 'Takes a grant away; its permits then wait out the lock-delay.', 'O(log N)', [key, fence]),
  delete: spec(2, ['write'], 'Deletes a semaphore, ending its waits and grants.', 'O(W + H) for W waiters and H holders', [key]),
  info: spec(2, ['readonly', 'fast'], 'Shows the capacity, usage and options of a semaphore.', 'O(1)', [key]),
  holders: spec(2, ['readonly'], 'Lists the grants of a semaphore with their fences and remaining leases.', 'O(H)', [key]),
  waiters: spec(2, ['readonly'], 'Lists the waiting acquires in queue order with their remaining wait.', 'O(W)', [key]),
  scan: spec(
    -2,
    ['readonly'],
    'Iterates over semaphore names.',
    'O(1) per call, O(N) for a full iteration',
    [
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    false,
  ),
  time: spec(1, ['readonly', 'fast'], 'Returns the replicated time (ms since the Unix epoch) leases are measured on.', 'O(1)', [], false),
} satisfies Record<string, CommandSpec>;
