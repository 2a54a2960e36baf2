/**
 * How a node starts, decided before storage is opened:
 *  - bootstrap: the data dir is empty or missing and no -j was given: found a cluster;
 *  - join: -j was given to a node without Raft state, or an earlier join never finished
 *    (a durable join-pending marker holds its target): ask to be added, never bootstrap;
 *  - restart: the node has Raft state: -j is ignored.
 * A data dir with files but no Raft state and no marker is refused: bootstrapping there
 * could split a cluster in two, and joining needs a target.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync } from '../raft/storage/fs-durable.js';

export const JOIN_MARKER = 'join-pending';

export type StartMode = { readonly kind: 'bootstrap' } | { readonly kind: 'join'; readonly target: string } | { readonly kind: 'restart' };

export class StartModeError extends Error {
  override name = 'StartModeError';
}

/** Before storage is opened: was the data dir empty, and is a join pending? */
export function inspectDataDir(dataDir: string): { empty: boolean; pendingJoin: string | null } {
  if (!existsSync(dataDir)) return { empty: true, pendingJoin: null };
  const marker = join(dataDir, JOIN_MARKER);
  const pendingJoin = existsSync(marker) ? readFileSync(marker, 'utf8').trim() || null : null;
  return { empty: readdirSync(dataDir).length === 0, pendingJoin };
}

export function decideStartMode(dir: { empty: boolean; pendingJoin: string | null }, hasRaftState: boolean, join: string | null, dataDir: string): StartMode {
  if (hasRaftState && dir.pendingJoin === null) return { kind: 'restart' };
  const target = join ?? dir.pendingJoin;
  if (target !== null) return { kind: 'join', target };
  if (hasRaftState) return { kind: 'restart' };
  if (dir.empty) return { kind: 'bootstrap' };
  throw new StartModeError(
    `${dataDir} holds files but no Raft state: start with -j <member> to join a cluster, or empty the directory to bootstrap a new one`,
  );
}

/** Records durably that this node is joining through `target`, before it talks to anyone. */
export function markJoinPending(dataDir: string, target: string): void {
  const path = join(dataDir, JOIN_MARKER);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${target}\n`);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDirSync(dataDir);
}

/** The node is a voter: the join is done. */
export function clearJoinPending(dataDir: string): void {
  rmSync(join(dataDir, JOIN_MARKER), { force: true });
}
