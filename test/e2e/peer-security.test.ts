/**
 * Peer security on a real 3-node cluster (issue 4): peer commands without the cluster
 * secret are refused and logged; a peer that authenticated and then sends garbage, an
 * oversized message or a message in another node's name is disconnected and logged; the
 * cluster keeps its term and goes on replicating writes.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, type NodeProcess, raftInfo } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { rawExchange } from '../helpers/raw.js';
import { respCommand } from '../../lib/transport/peer-link.js';
import { encodeMessage } from '../../lib/transport/message-codec.js';

const SECRET = 'peer-secret';

describe('peer security', () => {
  let cluster: TestCluster;
  let leader: NodeProcess;
  let follower: NodeProcess;
  let termBefore: string | undefined;

  before(async () => {
    cluster = await TestCluster.start({ nodes: 3, args: ['--cluster-secret', SECRET] });
    leader = await cluster.waitForLeader();
    await cluster.waitForVoters(3);
    follower = cluster.running().find((n) => n !== leader) as NodeProcess;
    termBefore = (await raftInfo(leader.port)).get('term');
  });
  after(async () => {
    await cluster.stop();
  });

  /** The node's log has gained a line matching `pattern` (logs are written asynchronously). */
  async function logged(node: NodeProcess, pattern: RegExp): Promise<void> {
    await waitFor(`node ${node.id} to log ${pattern}`, () => pattern.test(node.log()));
  }

  /** Every node still serves a write made through the leader: nothing was harmed. */
  async function clusterStillReplicates(key: string): Promise<void> {
    const writer = cluster.nodes[0]?.client() ?? assert.fail('no node');
    try {
      assert.equal(await writer.set(key, 'v'), 'OK');
    } finally {
      writer.disconnect();
    }
    for (const node of cluster.running()) {
      const reader = node.client();
      try {
        assert.equal(await reader.get(key), 'v', `node ${node.id} reads the write`);
      } finally {
        reader.disconnect();
      }
    }
  }

  test('a wrong cluster secret is refused, the connection closed and the attempt logged', async () => {
    const { data, closedByServer } = await rawExchange(follower.port, respCommand(['RAFT.PEER', 'not-the-secret', '7']));
    assert.equal(data, '-ERR peer handshake refused: wrong cluster secret\r\n');
    assert.ok(closedByServer);
    await logged(follower, /refused a peer: wrong cluster secret/);
  });

  test('RAFT.MSG without the handshake is refused and logged', async () => {
    const msg = encodeMessage({ type: 'vote', from: leader.id, to: follower.id, term: 1_000_000 });
    const { data } = await rawExchange(follower.port, respCommand(['RAFT.MSG', msg]), 2000);
    assert.equal(data, '-ERR peer command refused: authenticate with RAFT.PEER first\r\n');
    await logged(follower, /did not authenticate as a peer/);
  });

  test('an authenticated peer that sends garbage is disconnected and logged', async () => {
    const input = Buffer.concat([respCommand(['RAFT.PEER', SECRET, '7']), respCommand(['RAFT.MSG', Buffer.from('\x00\xffnot a message at all', 'latin1')])]);
    const { data, closedByServer } = await rawExchange(follower.port, input);
    // The handshake's +OK may not leave before the connection is dropped; nothing else may.
    assert.match(data, /^(\+OK\r\n)?$/, 'RAFT.MSG never gets a reply');
    assert.ok(closedByServer, 'the garbage closed the connection');
    await logged(follower, /garbage from a peer; closing its connection/);
  });

  test('a message larger than --max-peer-message-bytes is refused before it is read', async () => {
    // 64 MiB + 1: only the length is sent; the limit applies on the header.
    const input = Buffer.concat([respCommand(['RAFT.PEER', SECRET, '7']), Buffer.from('*2\r\n$8\r\nRAFT.MSG\r\n$67108865\r\n')]);
    const { data, closedByServer } = await rawExchange(follower.port, input);
    assert.match(data, /^\+OK\r\n-ERR Protocol error: invalid bulk length\r\n$/);
    assert.ok(closedByServer);
  });

  test('a peer cannot speak in another node\'s name: a forged vote request is dropped', async () => {
    const other = cluster.running().find((n) => n !== leader && n !== follower) as NodeProcess;
    const forged = encodeMessage({ type: 'vote', from: other.id, to: follower.id, term: 1_000_000, index: 1_000_000, logTerm: 1_000_000 });
    const input = Buffer.concat([respCommand(['RAFT.PEER', SECRET, '7']), respCommand(['RAFT.MSG', forged])]);
    const { closedByServer } = await rawExchange(follower.port, input);
    assert.ok(closedByServer);
    await logged(follower, /claiming to be from/);
  });

  test('after all of that the term is unchanged and every node serves a new write', async () => {
    assert.equal((await raftInfo(leader.port)).get('term'), termBefore, 'no forged message moved the term');
    await clusterStillReplicates('peer-security:after');
  });
});
