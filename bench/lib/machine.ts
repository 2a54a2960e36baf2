/** A description of the machine and the code under test, printed with every run. */
import { cpus, totalmem, release } from 'node:os';
import { execFileSync } from 'node:child_process';
import { statSync, existsSync } from 'node:fs';
import { loadAverage } from './proc-stats.js';
import { table } from './markdown.js';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return 'n/a';
  }
}

/** Device, filesystem and mount options of the disk holding `dir`, and its model. */
export function diskOf(dir: string): { summary: string; tmpfs: boolean } {
  const mount = run('findmnt', ['-n', '-o', 'SOURCE,FSTYPE,OPTIONS', '-T', dir]);
  const [source = '', fstype = ''] = mount.split(/\s+/);
  const device = source.replace(/^\/dev\//, '').replace(/[0-9]+$/, '');
  const rotational = run('cat', [`/sys/block/${device}/queue/rotational`]);
  const model = run('lsblk', ['-dno', 'MODEL,SIZE', `/dev/${device}`]);
  const kind = `queue/rotational=${rotational}`;
  return { summary: `${dir} on ${source} (${fstype}, ${kind}${model !== 'n/a' && model !== '' ? `, ${model}` : ''})`, tmpfs: fstype === 'tmpfs' };
}

function codeVersion(root: string): string {
  const commit = run('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['-C', root, 'status', '--porcelain', '--', 'lib', 'examples', 'bin']);
  const dist = `${root}/dist/bin/kvd.js`;
  const built = existsSync(dist) ? statSync(dist).mtime.toISOString() : 'missing';
  return `${commit}${dirty !== '' && dirty !== 'n/a' ? ' + uncommitted changes in lib/examples/bin' : ''}; dist/ built ${built}`;
}

export function describeMachine(root: string, dataDir: string): string {
  const cpu = cpus();
  const redis = run('redis-server', ['--version']).replace(/ sha=.*$/, '');
  return table(
    ['what', 'value'],
    [
      ['date', new Date().toISOString()],
      ['nproc', run('nproc', [])],
      ['CPU', `${cpu[0]?.model ?? 'unknown'} (${cpu.length} logical)`],
      ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ['kernel', release()],
      ['node', process.version],
      ['redis', redis],
      ['disk', diskOf(dataDir).summary],
      ['load average at start', loadAverage()],
      ['code', codeVersion(root)],
    ],
  );
}
