/**
 * The fault suite's test network (root only): every server in its own network namespace
 * on one bridge (the netns "pods" of test/k8s/lib/netns.ts), so partitions are nft rules
 * inside the namespaces and nothing on the host's own interfaces or firewall changes.
 * The runner stays in the host namespace and reaches the servers through a small proxy
 * in a client namespace that listens on Unix sockets (net/unix-proxy.mjs). The client
 * namespace is never partitioned: a client talking to a cut-off node sees what a
 * client of that node would see.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { cleanupStale, PodNetwork, sh } from '../../k8s/lib/netns.js';

const SUBNET = '10.245.0';
const CLIENT_HOST = 'client';
const CLIENT_IP = `${SUBNET}.250`;
const TABLE = 'rflt_partition';
const PROXY_SCRIPT = fileURLToPath(new URL('./unix-proxy.mjs', import.meta.url));

/** Why the network nemeses cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network partitions need root (network namespaces and nft)';
  for (const tool of ['ip', 'nft']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `network partitions need ${tool}`;
  }
  return undefined;
}

export interface NetHost {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  /** The Unix socket that reaches this host's server port from the host namespace. */
  readonly socketPath: string;
}

export class FaultNet {
  private readonly net = new PodNetwork();
  private readonly hosts = new Map<string, NetHost>();
  private readonly socketDir = mkdtempSync(join(tmpdir(), 'respraft-faults-sock-'));
  private proxy: ChildProcess | null = null;
  private readonly readyWaiters = new Map<string, () => void>();
  private nextIp = 11;
  private readonly onExit = (): void => this.destroy();

  setup(): void {
    cleanupStale();
    process.on('exit', this.onExit); // namespaces must not outlive an interrupted run
    this.net.setup();
    const clientNs = this.net.addHost(CLIENT_HOST, CLIENT_IP);
    this.proxy = spawn('ip', ['netns', 'exec', clientNs, process.execPath, PROXY_SCRIPT, this.socketDir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: this.proxy.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const [word, name] = line.split(' ');
      if (word === 'ready' && name) this.readyWaiters.get(name)?.();
    });
  }

  /** A namespace for a server listening on `port`, reachable through its Unix socket. */
  async addHost(name: string, port: number): Promise<NetHost> {
    const known = this.hosts.get(name);
    if (known) return known;
    if (this.nextIp >= 250) throw new Error('fault net: out of addresses');
    const ip = `${SUBNET}.${this.nextIp++}`;
    const ns = this.net.addHost(name, ip);
    const host: NetHost = { name, ns, ip, socketPath: join(this.socketDir, `${name}.sock`) };
    this.hosts.set(name, host);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy for ${name} did not start`)), 10_000);
      this.readyWaiters.set(name, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.proxy?.stdin?.write(`add ${name} ${ip} ${port}\n`);
    await ready;
    return host;
  }

  /** argv prefix that runs a program inside the host's namespace. */
  execPrefix(name: string): string[] {
    return ['ip', 'netns', 'exec', this.host(name).ns];
  }

  host(name: string): NetHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`fault net: no host ${name}`);
    return h;
  }

  /**
   * Drops packets on the listed directed links (from -> to), replacing whatever was cut
   * before. Each drop is an input rule in the receiver's namespace: a one-way cut leaves
   * the other direction open (an asymmetric partition).
   */
  cut(links: readonly (readonly [string, string])[]): void {
    this.healAll();
    const dropsAt = new Map<string, string[]>();
    for (const [from, to] of links) {
      const list = dropsAt.get(to) ?? [];
      list.push(this.host(from).ip);
      dropsAt.set(to, list);
    }
    for (const [to, fromIps] of dropsAt) {
      const rules = [
        `table inet ${TABLE} {`,
        `  chain input { type filter hook input priority 0; policy accept; ip saddr { ${fromIps.join(', ')} } drop; }`,
        '}',
      ].join('\n');
      sh('ip', ['netns', 'exec', this.host(to).ns, 'nft', '-f', '-'], rules);
    }
  }

  healAll(): void {
    for (const host of this.hosts.values()) {
      spawnSync('ip', ['netns', 'exec', host.ns, 'nft', 'delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
    }
  }

  destroy(): void {
    process.off('exit', this.onExit);
    this.proxy?.stdin?.end();
    this.proxy?.kill('SIGKILL');
    this.proxy = null;
    this.net.destroy();
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
