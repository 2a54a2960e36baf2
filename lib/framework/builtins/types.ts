/**
 * Built-in commands: served by the framework itself on every node (connection commands,
 * RAFT/CLUSTER admin, INFO...). They share the CommandSpec of app commands, so COMMAND
 * INFO/DOCS lists everything the same way.
 */
import type { ClientConnection, DispatchResult } from '../connection.js';
import type { Reply } from '../../resp/types.js';
import type { Status } from '../../raft/core/types.js';
import type { SnapshotInfo } from '../../raft/storage/types.js';
import type { CommandSpec } from '../app.js';
import type { NodeOptions } from '../options.js';
import type { CommandTable } from '../command-table.js';

export interface BuiltinContext {
  readonly options: NodeOptions;
  readonly appName: string;
  readonly appVersion: string;
  readonly databases: number;
  readonly startedAtMs: number;
  readonly commands: CommandTable;
  /** Every open client connection (CLIENT LIST). */
  connections(): Iterable<ClientConnection>;
  /** Checks a password in constant time; false when none is configured. */
  checkPassword(password: Buffer): boolean;
  /** Lines (key:value) of an INFO section, or null if the section is not known here. */
  infoSection(name: string): string[] | null;
  /** The sections INFO prints by default, and for INFO all / everything. */
  readonly defaultInfoSections: readonly string[];
  readonly allInfoSections: readonly string[];
  /** 'master' on the leader, 'replica' elsewhere (HELLO, ROLE). */
  role(): 'master' | 'replica';
  readonly admin: AdminApi;
}

/** What the RAFT, CLUSTER and MACHINE commands need of the node. */
export interface AdminApi {
  readonly nodeId: string;
  readonly advertisedAddr: string;
  leaderId(): string | null;
  leaderAddr(): string | null;
  isLeader(): boolean;
  status(): Status;
  /** Adds a server (learner first; promoted once caught up unless learnerOnly). Leader only. */
  join(id: string, addr: string, learnerOnly: boolean): Promise<void>;
  /** Removes a server other than this node. Leader only. */
  remove(id: string): Promise<void>;
  /** Hands leadership over; resolves with the new leader's id. Leader only. */
  transfer(id: string | null): Promise<string>;
  snapshotNow(): Promise<SnapshotInfo>;
  snapshots(): SnapshotInfo[];
  /** RAFT INFO / INFO raft fields. */
  raftInfo(): [string, string | number][];
  /** MACHINE fields: replicated time and applied state. */
  machine(): [string, Reply][];
  /**
   * Sends the command to the leader when this node is not it (forwarding, or -MOVED in
   * redirect mode, or waiting for a leader); null when this node is the leader.
   */
  toLeader(conn: ClientConnection, args: Buffer[]): DispatchResult | null;
}

export interface BuiltinCommand {
  readonly name: string;
  readonly spec: CommandSpec;
  /** Allowed before the client authenticates (AUTH, HELLO, QUIT, peer handshake). */
  readonly beforeAuth?: boolean;
  run(ctx: BuiltinContext, conn: ClientConnection, args: Buffer[]): DispatchResult;
}
