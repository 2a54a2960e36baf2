/**
 * Reproduction of a replica divergence found by the counter workload (RESULTS.md): a
 * follower that installs the leader's snapshot while it is writing a snapshot of its own
 * restores the data of whichever snapshot file is newest by commit order, with the
 * index of the installed one, so it silently skips the entries in between and serves
 * old values from then on (ReadIndex does not help: its applied index is right).
 *
 *   npx tsx test/faults/repro/snapshot-install-race.ts [rounds]
 *
 * Each round: write load on the leader, SIGSTOP a follower until the leader compacted
 * past it, SIGCONT it together with RAFT SNAPSHOT NOW (so its own snapshot write and
 * the leader's snapshot install overlap), then stop the load and compare INCR counters
 * on every node (reads through each node are linearizable, so they must all agree).
 * Exit 1 when a node disagrees.
 */
import { FaultCluster, type FaultNode } from '../runner/cluster.js';
import { waitFor } from '../../helpers/wait.js';
import { fillKeys } from '../../helpers/load.js';

const rounds = Number(process.argv[2] ?? 10);

async function load(leader: FaultNode, until: () => boolean): Promise<number> {
  const client = leader.client();
  let acked = 0;
  try {
    while (!until()) {
      await client.incr('c').then(() => acked++, () => undefined);
    }
  } finally {
    client.disconnect();
  }
  return acked;
}

async function main(): Promise<number> {
  const cluster = new FaultCluster({
    app: 'kvd', nodes: 3,
    args: ['--log-level', 'info', '--snapshot-every-entries', '300', '--snapshot-trailing-entries', '20'],
  });
  let diverged = false;
  try {
    await cluster.start();
    const leader = await cluster.waitForLeader();
    // A larger state makes each snapshot write take longer, widening the window.
    const filler = leader.client();
    await fillKeys(filler, 40);
    filler.disconnect();
    for (let round = 1; round <= rounds; round++) {
      const follower = cluster.members.find((n) => n !== leader) as FaultNode;
      let stop = false;
      const writing = load(leader, () => stop);
      follower.pause();
      await new Promise((r) => setTimeout(r, 1500)); // the leader compacts past the follower meanwhile
      // Vary which comes first, the follower's own snapshot or the leader's, round by round.
      const snapshotNow = (): Promise<unknown> => follower.call(['RAFT', 'SNAPSHOT', 'NOW'], 5000).catch(() => undefined);
      const early = round % 2 === 1 ? snapshotNow() : undefined;
      follower.resume();
      await new Promise((r) => setTimeout(r, (round * 37) % 150));
      await (early ?? snapshotNow());
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await writing;
      const values = await waitFor('every node to answer GET c', async () => {
        const got = await Promise.all(cluster.members.map((n) => n.call(['GET', 'c'], 3000).then((v) => `${n.id}=${String(v)}`, () => undefined)));
        return got.every((v) => v !== undefined) ? (got as string[]) : undefined;
      });
      const distinct = new Set(values.map((v) => v.split('=')[1]));
      console.log(`round ${round}: ${values.join(' ')}`);
      if (distinct.size > 1) {
        console.log(`DIVERGED: the nodes disagree on c (data and logs kept in ${cluster.dir})`);
        diverged = true;
        return 1;
      }
    }
    console.log('no divergence seen');
    return 0;
  } finally {
    await cluster.stop(diverged);
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(3);
});
