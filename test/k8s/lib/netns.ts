/**
 * Network-namespace "pods" (root only). A hub namespace holds a bridge; every pod gets
 * its own namespace with a veth into the hub, created from inside the hub so nothing is
 * ever added to, or changed on, the host's own interfaces or firewall. Names resolve
 * through /etc/netns/<ns>/hosts, which `ip netns exec` mounts over /etc/hosts; the file
 * is rewritten in place (same inode) so running processes see changes, like DNS.
 *
 * Every namespace name starts with `rk8s-<pid>-`, so a later run can remove what a
 * killed run left behind (cleanupStale).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';

const PREFIX_BASE = 'rk8s';
export const POD_SUBNET = '10.244.0';

export function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status)}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function tryRun(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
}

function listNamespaces(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

function killNamespaceProcesses(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function deleteNamespace(ns: string): void {
  killNamespaceProcesses(ns);
  tryRun('ip', ['netns', 'delete', ns]);
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes namespaces (and their /etc/netns entries) left by runs whose process is gone. */
export function cleanupStale(): void {
  const pattern = new RegExp(`^${PREFIX_BASE}-(\\d+)-`);
  for (const ns of listNamespaces()) {
    const m = pattern.exec(ns);
    if (m && !processAlive(Number(m[1]))) deleteNamespace(ns);
  }
}

export class PodNetwork {
  readonly prefix = `${PREFIX_BASE}-${process.pid}`;
  readonly hub = `${this.prefix}-hub`;
  private readonly namespaces: string[] = [];
  private readonly hosts = new Map<string, string>();
  private nextVeth = 0;
  private createdEtcNetns = false;

  setup(): void {
    this.createdEtcNetns = !existsSync('/etc/netns');
    this.createNamespace(this.hub);
    sh('ip', ['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge']);
    sh('ip', ['-n', this.hub, 'link', 'set', 'br0', 'up']);
  }

  nsOf(host: string): string {
    return `${this.prefix}-${host}`;
  }

  /** A namespace on the bridge with `ip` on eth0; keeps existing ones (a pod's restart). */
  addHost(host: string, ip: string): string {
    const ns = this.nsOf(host);
    if (this.namespaces.includes(ns)) return ns;
    this.createNamespace(ns);
    const veth = `v${this.nextVeth++}`;
    sh('ip', ['-n', this.hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', this.hub, 'link', 'set', veth, 'master', 'br0']);
    sh('ip', ['-n', this.hub, 'link', 'set', veth, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    this.writeHosts(ns);
    return ns;
  }

  /** Publishes (ip) or withdraws (null) DNS names, in every namespace at once. */
  setNames(names: string[], ip: string | null): void {
    for (const name of names) {
      if (ip === null) this.hosts.delete(name);
      else this.hosts.set(name, ip);
    }
    for (const ns of this.namespaces) this.writeHosts(ns);
  }

  /** Drops every packet in or out of the host's eth0, from inside its namespace. */
  partition(host: string): void {
    const rules = [
      'table inet rk8s_partition {',
      '  chain input { type filter hook input priority 0; policy accept; iifname "eth0" drop; }',
      '  chain output { type filter hook output priority 0; policy accept; oifname "eth0" drop; }',
      '}',
    ].join('\n');
    sh('ip', ['netns', 'exec', this.nsOf(host), 'nft', '-f', '-'], rules);
  }

  heal(host: string): void {
    sh('ip', ['netns', 'exec', this.nsOf(host), 'nft', 'delete', 'table', 'inet', 'rk8s_partition']);
  }

  /**
   * A ClusterIP Service as kube-proxy builds it: connections from `host` to vip:port are
   * DNATed round-robin to the backends' targetPort.
   */
  serviceVip(host: string, vip: string, port: number, backends: string[], targetPort: number): void {
    const ns = this.nsOf(host);
    const map = backends.map((ip, i) => `${i} : ${ip}`).join(', ');
    sh('ip', ['-n', ns, 'route', 'replace', `${vip}/32`, 'dev', 'eth0']);
    tryRun('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'ip', 'rk8s_service']);
    const rules = [
      'table ip rk8s_service {',
      '  chain output {',
      '    type nat hook output priority -100; policy accept;',
      `    ip daddr ${vip} tcp dport ${port} dnat to numgen inc mod ${backends.length} map { ${map} } : ${targetPort}`,
      '  }',
      '}',
    ].join('\n');
    sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], rules);
  }

  destroy(): void {
    for (const ns of [...this.namespaces].reverse()) deleteNamespace(ns);
    this.namespaces.length = 0;
    if (this.createdEtcNetns && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmdirSync('/etc/netns');
  }

  private createNamespace(ns: string): void {
    if (listNamespaces().includes(ns)) deleteNamespace(ns);
    sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    this.writeHosts(ns);
  }

  private writeHosts(ns: string): void {
    const dir = `/etc/netns/${ns}`;
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const lines = ['127.0.0.1 localhost', ...[...this.hosts].map(([name, ip]) => `${ip} ${name}`)];
    // writeFileSync truncates and rewrites the same inode: the bind mount keeps seeing it.
    writeFileSync(`${dir}/hosts`, `${lines.join('\n')}\n`);
  }
}
