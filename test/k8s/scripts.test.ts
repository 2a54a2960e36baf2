/**
 * The pods' RESP shell client (manifests/scripts/raft.sh over raft-lib.sh) against fake
 * servers on 127.0.0.1: what it sends, how it reads a leader, a null, an error, garbage,
 * silence and a refused connection. Runs under busybox (as on Alpine) when installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { MANIFESTS_DIR, REPO_ROOT } from './lib/objects.js';
import { podShell, runProcess, runScript } from './lib/shell.js';

const RAFT_SH = join(MANIFESTS_DIR, 'scripts', 'raft.sh');
const LEADER = 'kvd-1.kvd-peers.default.svc.cluster.local:11001';

/** A fake node: records what it received; once QUIT arrives, writes `reply` and closes. */
interface FakeNode {
  port: number;
  received: string[];
  server: Server;
}

async function fakeNode(reply: string | null): Promise<FakeNode> {
  const received: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (reply !== null && data.includes('QUIT\r\n')) {
        received.push(data);
        socket.end(reply);
      }
    });
    socket.on('error', () => {});
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received, server };
}

const nodes: FakeNode[] = [];
async function node(reply: string | null): Promise<FakeNode> {
  const n = await fakeNode(reply);
  nodes.push(n);
  return n;
}

function leaderOf(port: number, env: Record<string, string> = {}) {
  return runScript(RAFT_SH, ['leader', '127.0.0.1', String(port)], { RESP_TIMEOUT_SECONDS: '1', ...env });
}

describe(`raft.sh (${podShell().label})`, () => {
  before(() => podShell());
  after(() => {
    for (const n of nodes) n.server.close();
  });

  test('every pod script parses under the pod shell and under dash', () => {
    for (const file of ['start.sh', 'raft-lib.sh', 'raft.sh', 'kvd-client.sh']) {
      const path = join(MANIFESTS_DIR, 'scripts', file);
      for (const shell of [podShell().shell, ['dash']]) {
        const r = spawnSync(shell[0] as string, [...shell.slice(1), '-n', path], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${shell.join(' ')} -n ${file}: ${r.stderr}`);
      }
    }
  });

  test('RAFT LEADER: sends RAFT LEADER then QUIT as RESP, prints the leader, exit 0', async () => {
    const n = await node(`$${LEADER.length}\r\n${LEADER}\r\n+OK\r\n`);
    const r = await leaderOf(n.port);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${LEADER}\n`);
    assert.deepEqual(n.received, ['*2\r\n$4\r\nRAFT\r\n$6\r\nLEADER\r\n*1\r\n$4\r\nQUIT\r\n']);
  });

  test('a password in <APP>_AUTH is sent first with AUTH, binary-safe', async () => {
    const n = await node(`+OK\r\n$${LEADER.length}\r\n${LEADER}\r\n+OK\r\n`);
    const r = await leaderOf(n.port, { APP: 'kvd', KVD_AUTH: 'p w"d' });
    assert.equal(r.stdout, `${LEADER}\n`, r.stderr);
    assert.ok(n.received[0]?.startsWith('*2\r\n$4\r\nAUTH\r\n$5\r\np w"d\r\n*2\r\n$4\r\nRAFT\r\n'), n.received[0]);
  });

  const noLeader: [string, string][] = [
    ['a RESP2 null', '$-1\r\n+OK\r\n'],
    ['a RESP3 null', '_\r\n+OK\r\n'],
    ['an error reply', "-ERR unknown command 'RAFT'\r\n+OK\r\n"],
    ['a bulk that is not host:port', '$11\r\nhello world\r\n+OK\r\n'],
    ['garbage (an HTTP answer)', 'HTTP/1.1 400 Bad Request\r\n\r\n'],
    ['a truncated bulk', '$47\r\n'],
  ];
  for (const [what, reply] of noLeader) {
    test(`${what}: no leader, but the node answered (exit 1)`, async () => {
      const r = await leaderOf((await node(reply)).port);
      assert.equal(r.code, 1, `${r.stdout} ${r.stderr}`);
      assert.equal(r.stdout, '');
    });
  }

  test('a refused connection: nothing answered (exit 2)', async () => {
    const r = await leaderOf(await freePort());
    assert.equal(r.code, 2);
  });

  test('a node that accepts and never answers: exit 2 within the bound', async () => {
    const r = await leaderOf((await node(null)).port);
    assert.equal(r.code, 2);
    assert.ok(r.ms < 4000, `took ${r.ms} ms with RESP_TIMEOUT_SECONDS=1`);
  });

  test('call prints scalars, nulls and arrays (tab-separated, nested flattened); errors exit 1', async () => {
    const cases: [string, string, number][] = [
      ['+OK\r\n+OK\r\n', '+OK\n', 0],
      [':42\r\n+OK\r\n', ':42\n', 0],
      ['*2\r\n*2\r\n$1\r\n0\r\n$5\r\na:1 b\r\n*-1\r\n+OK\r\n', '$0\t$a:1 b\t_\n', 0],
      ['-ERR no\r\n+OK\r\n', '-ERR no\n', 1],
    ];
    for (const [reply, printed, code] of cases) {
      const n = await node(reply);
      const r = await runScript(RAFT_SH, ['call', '127.0.0.1', String(n.port), 'RAFT', 'SERVER', 'LIST'], {});
      assert.equal(r.stdout, printed, JSON.stringify(reply));
      assert.equal(r.code, code, JSON.stringify(reply));
    }
  });

  test('ready asks the local node on the LISTEN_ADDR port', async () => {
    const up = await node(`$${LEADER.length}\r\n${LEADER}\r\n+OK\r\n`);
    const down = await node('$-1\r\n+OK\r\n');
    assert.equal((await runScript(RAFT_SH, ['ready'], { LISTEN_ADDR: `0.0.0.0:${up.port}` })).code, 0);
    assert.notEqual((await runScript(RAFT_SH, ['ready'], { LISTEN_ADDR: `0.0.0.0:${down.port}` })).code, 0);
  });
});

describe('scale-down.sh', () => {
  /** A kubectl that logs its calls; `exec` answers with `execReply` and `execCode`. */
  function fakeKubectl(dir: string, execReply: string, execCode: number): string {
    const path = join(dir, 'kubectl');
    const script = [
      '#!/bin/sh',
      `echo "$*" >> ${dir}/calls`,
      '[ "$1" = -n ] && shift 2',
      'case "$1" in',
      '  get) echo 5 ;;',
      `  exec) printf '%s\\n' '${execReply}'; exit ${execCode} ;;`,
      'esac',
    ].join('\n');
    writeFileSync(path, `${script}\n`, { mode: 0o755 });
    return path;
  }

  async function scaleDown(execReply: string, execCode: number): Promise<{ code: number | null; calls: string[]; err: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'respraft-scale-down-'));
    try {
      const kubectl = fakeKubectl(dir, execReply, execCode);
      const r = await runProcess('sh', [join(REPO_ROOT, 'scripts/k8s/scale-down.sh'), 'kvd', '3'], {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        KUBECTL: kubectl,
        REMOVE_WAIT_SECONDS: '1',
      });
      const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
      return { code: r.code, calls, err: r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a failed member listing stops it before kubectl scale', async () => {
    const r = await scaleDown('', 1);
    assert.equal(r.code, 1);
    assert.match(r.err, /RAFT SERVER LIST through kvd-0 failed/);
    assert.equal(r.calls.filter((c) => c.includes('scale')).length, 0, r.calls.join('\n'));
  });

  test('a member that will not leave the list stops it before kubectl scale', async () => {
    const r = await scaleDown('$4\t$kvd-4.kvd-peers.default.svc.cluster.local:11001', 0);
    assert.equal(r.code, 1);
    assert.match(r.err, /kvd-4 still a member/);
    assert.equal(r.calls.filter((c) => c.includes('scale')).length, 0);
  });
});
