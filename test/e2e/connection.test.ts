/**
 * The RESP server as clients see it, against a real one-node kvd process: redis-cli,
 * ioredis in RESP2 and RESP3, netcat with inline and multibulk commands, AUTH, a client
 * that never reads, and malformed input that must get an error and a closed connection
 * while the server stays up for everyone else.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { TestCluster, NodeProcess, testClient } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { rawExchange } from '../helpers/raw.js';

const run = promisify(execFile);

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 });
  return stdout;
}

/** Sends raw bytes with nc and returns everything the server answered before closing. */
async function nc(port: number, input: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    // -N: shut down our side after stdin ends; the server answers, then closes.
    const child = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
    child.stdin.end(input);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

describe('connection commands on a real node', () => {
  let cluster: TestCluster;
  let node: NodeProcess;

  before(async () => {
    cluster = await TestCluster.start({ nodes: 1 });
    node = cluster.nodes[0] as NodeProcess;
  });
  after(async () => {
    await cluster.stop();
  });

  test('redis-cli PING, ECHO, INFO', async () => {
    assert.equal((await cli(node.port, 'PING')).trim(), 'PONG');
    assert.equal((await cli(node.port, 'ECHO', 'hello world')).trim(), 'hello world');
    const info = await cli(node.port, 'INFO');
    assert.match(info, /^# Server/m);
    assert.match(info, /^loading:0/m);
    assert.match(info, /^# Raft/m);
    assert.match(info, /^role:leader/m);
  });

  test('redis-cli --pipe of 10,000 commands gets 10,000 replies in order', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(`*3\r\n$3\r\nSET\r\n$${`k${i}`.length}\r\nk${i}\r\n$${`v${i}`.length}\r\nv${i}\r\n`);
    const child = spawn('redis-cli', ['-p', String(node.port), '--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(lines.join(''));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /errors: 0, replies: 10000/);
    assert.equal((await cli(node.port, 'GET', 'k9999')).trim(), 'v9999');
  });

  test('redis-cli -r repeats a command', async () => {
    const out = await cli(node.port, '-r', '200', 'INCR', 'counter');
    assert.equal(out.trim().split('\n').pop(), '200');
  });

  test('ioredis in RESP3 (HELLO 3 + INFO on connect) and in RESP2', async () => {
    for (const protocol of [3, 2] as const) {
      const client = testClient(node.port, { protocol });
      try {
        assert.equal(await client.ping(), 'PONG');
        await client.set(`proto${protocol}`, 'x');
        assert.equal(await client.get(`proto${protocol}`), 'x');
        const hello = (await client.call('HELLO', String(protocol))) as unknown[];
        assert.ok(Array.isArray(hello));
        assert.equal(hello[hello.indexOf('proto') + 1], protocol);
        assert.equal(await client.call('CLIENT', 'SETNAME', 'tester'), 'OK');
        assert.equal(await client.call('CLIENT', 'GETNAME'), 'tester');
        assert.equal(typeof (await client.call('CLIENT', 'ID')), 'number');
        assert.match(String(await client.call('CLIENT', 'INFO')), /name=tester/);
      } finally {
        client.disconnect();
      }
    }
  });

  test('netcat: inline PING and multibulk PING', async () => {
    assert.equal(await nc(node.port, 'PING\r\n'), '+PONG\r\n');
    assert.equal(await nc(node.port, '*1\r\n$4\r\nPING\r\n'), '+PONG\r\n');
    assert.equal(await nc(node.port, 'RAFT LEADER\r\n'), `$${node.addr.length}\r\n${node.addr}\r\n`);
    assert.equal(await nc(node.port, 'SET viaNc 1\r\nGET viaNc\r\n'), '+OK\r\n$1\r\n1\r\n');
    assert.equal(await nc(node.port, 'ECHO "a b\\x41"\r\n'), '$4\r\na bA\r\n');
  });

  test('unknown commands and wrong arity get Redis\'s errors', async () => {
    assert.equal(await nc(node.port, 'FOO bar baz\r\n'), "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n");
    assert.equal(await nc(node.port, 'GET\r\n'), "-ERR wrong number of arguments for 'get' command\r\n");
    assert.equal(await nc(node.port, 'SELECT 16\r\n'), '-ERR DB index is out of range\r\n');
  });

  for (const [name, input, expected] of [
    ['a huge bulk length', '*1\r\n$999999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['a negative multibulk count', '*-5\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['binary garbage', Buffer.from('*1\r\n\x00\xff\xfe garbage\r\n', 'latin1'), "-ERR Protocol error: expected '$', got '\\x00'\r\n"],
  ] as const) {
    test(`${name}: error, then the server closes that connection and stays up`, async () => {
      const { data, closedByServer } = await rawExchange(node.port, Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1'));
      assert.equal(data, expected);
      assert.ok(closedByServer, 'server closed the connection');
      assert.equal((await cli(node.port, 'PING')).trim(), 'PONG');
    });
  }

  test('a client that writes without reading cannot grow the server\'s memory', async () => {
    const before = await serverRssBytes(node);
    const socket = connect(node.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const chunk = Buffer.from('PING\r\n'.repeat(10_922)); // 64 KiB of commands
    let sent = 0;
    const limit = 1024 * 1024 * 1024;
    const deadline = Date.now() + 15_000;
    // Write until the server stops reading (our writes stop draining) or 1 GiB or 15 s.
    while (sent < limit && Date.now() < deadline) {
      if (socket.write(chunk)) {
        sent += chunk.length;
        continue;
      }
      sent += chunk.length;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => socket.once('drain', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
      ]);
      if (!drained) break;
    }
    const during = await serverRssBytes(node);
    // Others are still served while that client is stalled.
    assert.equal((await cli(node.port, 'PING')).trim(), 'PONG');
    socket.destroy();
    assert.ok(sent < limit, `the server kept reading: ${sent} bytes accepted`);
    assert.ok(during - before < 256 * 1024 * 1024, `server RSS grew by ${(during - before) / 1048576} MiB`);
  });
});

describe('AUTH', () => {
  let cluster: TestCluster;
  let node: NodeProcess;

  before(async () => {
    cluster = await TestCluster.start({ nodes: 1, args: ['--auth', 's3cret'] });
    node = cluster.nodes[0] as NodeProcess;
  });
  after(async () => {
    await cluster.stop();
  });

  test('NOAUTH before AUTH, WRONGPASS for a bad password, OK after', async () => {
    assert.equal(await nc(node.port, 'GET x\r\n'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await nc(node.port, 'AUTH nope\r\n'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await nc(node.port, 'AUTH s3cret\r\nPING\r\n'), '+OK\r\n+PONG\r\n');
    assert.equal(await nc(node.port, 'AUTH default s3cret\r\nPING\r\n'), '+OK\r\n+PONG\r\n');
    assert.equal(await nc(node.port, 'AUTH admin s3cret\r\n'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  });

  test('before AUTH only small commands are accepted, as in Redis', async () => {
    const { data, closedByServer } = await rawExchange(node.port, Buffer.from('*20\r\n'));
    assert.equal(data, '-ERR Protocol error: unauthenticated multibulk length\r\n');
    assert.ok(closedByServer);
  });

  test('redis-cli -a and ioredis with a password (HELLO 3 AUTH)', async () => {
    assert.equal((await cli(node.port, '--no-auth-warning', '-a', 's3cret', 'PING')).trim(), 'PONG');
    const client = testClient(node.port, { password: 's3cret' });
    try {
      await client.set('a', '1');
      assert.equal(await client.get('a'), '1');
    } finally {
      client.disconnect();
    }
  });

  test('RAFT.MSG without the peer handshake is refused and the connection closed', async () => {
    const { data, closedByServer } = await rawExchange(node.port, Buffer.from('*2\r\n$8\r\nRAFT.MSG\r\n$3\r\nabc\r\n'));
    assert.match(data, /^-NOAUTH|^-ERR peer command refused/);
    assert.ok(closedByServer || data.startsWith('-NOAUTH'));
    await waitFor('server still answers', async () => (await cli(node.port, '--no-auth-warning', '-a', 's3cret', 'PING')).trim() === 'PONG');
  });
});

async function serverRssBytes(node: NodeProcess): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(node.pid)]);
  return Number(stdout.trim()) * 1024;
}
