/**
 * Reproduction of a stale read found by the set workload (RESULTS.md): the leader's lease
 * reads (fd8e178) wait only until the index of the last confirmed ReadIndex round is
 * applied, not the leader's current commit index. A follower's ReadIndex read gets the
 * current commit index, so once a write is committed and applied on a follower but not
 * yet on the leader, a read on the follower returns it and a later read on the leader
 * does not: reads go back in time.
 *
 *   npx tsx test/faults/repro/lease-read-stale.ts [rounds]
 *
 * The leader's apply is held back the way it is in production: a snapshot of a large
 * state pauses applying while it is written (RAFT SNAPSHOT NOW). Each round: warm the
 * lease with a read on the leader, start the snapshot, SET through a follower, poll GET
 * on that follower (another connection) until it shows the new value, then GET on the
 * leader at once.
 * Exit 1 when the leader answers the older value.
 */
import type { Redis } from 'ioredis';
import { FaultCluster, type FaultNode } from '../runner/cluster.js';
import { fillKeys } from '../../helpers/load.js';

const rounds = Number(process.argv[2] ?? 10);

/** One round; returns a description of the stale read, or undefined. */
async function round(n: number, leaderClient: Redis, followerClient: Redis, writer: Redis, leader: FaultNode): Promise<string | undefined> {
  const value = `v${n}`;
  await leaderClient.get('k'); // the lease is earned and kept by reads on the leader
  const snapshot = leader.call(['RAFT', 'SNAPSHOT', 'NOW'], 10_000).catch(() => undefined);
  // Its own connection: a read behind a pending write of the same client would be sent to the leader.
  const write = writer.set('k', value).catch(() => undefined);
  const deadline = Date.now() + 2000;
  let seen: string | null = null;
  while (Date.now() < deadline && seen !== value) seen = await followerClient.get('k');
  let verdict: string | undefined;
  if (seen === value) {
    const onLeader = await leaderClient.get('k');
    if (onLeader !== value) verdict = `the follower returned ${value}, then the leader returned ${String(onLeader)}`;
  }
  await Promise.all([snapshot, write]);
  return verdict;
}

async function main(): Promise<number> {
  // REPRO_SERVER_ARGS='--no-lease-reads' is the control: then every round is consistent.
  const extra = (process.env.REPRO_SERVER_ARGS ?? '').split(' ').filter((a) => a !== '');
  const cluster = new FaultCluster({ app: 'kvd', nodes: 3, args: ['--log-level', 'warn', ...extra] });
  try {
    await cluster.start();
    const leader = await cluster.waitForLeader();
    const follower = cluster.members.find((x) => x !== leader) as FaultNode;
    const leaderClient = leader.client();
    const followerClient = follower.client();
    const writer = follower.client();
    await fillKeys(leaderClient, 150); // ~15 MB: each snapshot pauses the leader's apply a while
    try {
      for (let n = 1; n <= rounds; n++) {
        const stale = await round(n, leaderClient, followerClient, writer, leader);
        console.log(`round ${n}: ${stale ?? 'consistent'}`);
        if (stale) {
          console.log(`STALE READ on the leader ${leader.id}: ${stale}`);
          return 1;
        }
      }
    } finally {
      leaderClient.disconnect();
      followerClient.disconnect();
      writer.disconnect();
    }
    console.log('no stale read seen');
    return 0;
  } finally {
    await cluster.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(3);
});
