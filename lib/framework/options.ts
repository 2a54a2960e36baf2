/**
 * Every option of a node, with its unit in the name, a doc comment and a default.
 * The CLI (cli.ts) maps flags and environment variables onto these; validateOptions
 * rejects a bad combination at start-up with a message that names the option.
 */
import { DEFAULT_RESP_LIMITS } from '../resp/limits.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface NodeOptions {
  /** This node's id in the cluster (-n). Unique per cluster; a pod's ordinal on Kubernetes. */
  id: string;
  /** host:port to listen on for clients and peers alike (-a). */
  addr: string;
  /** host:port that peers and clients are told to use; defaults to addr. */
  advertise: string | null;
  /** Directory for the log, hard state and snapshots (-d). */
  dataDir: string;
  /** host:port of any member to join through (-j); ignored when the node already has state. */
  join: string | null;
  /** Password clients must AUTH with; null leaves clients unauthenticated. */
  auth: string | null;
  /** Secret peers prove before any peer command is accepted; defaults to auth, then to none. */
  clusterSecret: string | null;
  /** PEM certificate and key: when both are set, clients and peers speak TLS. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Skip fsync: faster, and a crash of a majority can lose acknowledged writes. */
  nosync: boolean;
  /**
   * Replicate and fsync in a pipeline: the next batch goes to the followers while this
   * node's fsync of the previous one runs (acknowledgements still wait for durability).
   */
  pipelinedPersistence: boolean;
  /** Serve reads from local applied state without confirming leadership (may be stale). */
  staleReads: boolean;
  /**
   * The leader answers linearizable reads under a lease earned from ReadIndex rounds
   * (no round trip per read). Safe while the nodes' clocks run at rates within 20% of
   * each other; off, every batch of reads waits for a quorum round.
   */
  leaseReads: boolean;
  /** Answer -MOVED to the leader instead of forwarding commands to it. */
  redirect: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** host:port for Prometheus metrics over HTTP; null disables. */
  metricsAddr: string | null;

  /** One Raft tick of logical time. */
  tickIntervalMs: number;
  /** Base election timeout in ticks (the real one is random in [n, 2n)). */
  electionTimeoutTicks: number;
  /** Leader heartbeat interval in ticks. */
  heartbeatIntervalTicks: number;
  /** How often an idle leader appends a TICK entry to advance replicated time. */
  timeTickIntervalMs: number;
  /** Added to this node's wall clock (fault tests simulate clock jumps with it). */
  clockOffsetMs: number;
  /**
   * How much faster than real time replicated time may run while it catches up with the
   * leader's wall clock (which it otherwise ignores, so clock jumps cannot cut leases
   * short). 0 keeps replicated time strictly at the pace of real time.
   */
  clockCatchUpPercent: number;
  /** Serve DEBUG (clock jumps for fault tests). Off by default, as Redis 7's enable-debug-command. */
  enableDebugCommand: boolean;

  /** Most client commands in one log entry. */
  maxBatchCommands: number;
  /** Most bytes of client commands in one log entry. */
  maxBatchBytes: number;
  /** Max bytes of entries in one append message to a follower. */
  maxAppendBytes: number;
  /** Append messages in flight to one follower before waiting for acks. */
  maxInflightAppends: number;

  /** Longest accepted bulk string from a client. */
  maxBulkBytes: number;
  /** Most arguments in one command. */
  maxArgs: number;
  /** Longest inline command line. */
  maxInlineBytes: number;
  /** Most bytes of one incomplete request held for a client. */
  maxQueryBufferBytes: number;
  /** Commands read from one client and not yet answered before reading pauses. */
  maxPipelineCommands: number;
  /** Bytes of replies queued for one client before reading from it pauses. */
  maxOutputBufferBytes: number;
  /** Most client connections; more are answered with an error and closed. */
  maxClients: number;

  /** Longest accepted peer message. */
  maxPeerMessageBytes: number;
  /** Messages queued for one peer before new ones are dropped (Raft retransmits). */
  maxPeerQueueMessages: number;
  /** Bytes queued for one peer before new messages are dropped. */
  maxPeerQueueBytes: number;
  /** First reconnect delay to a peer; doubles up to peerReconnectMaxMs. */
  peerReconnectMinMs: number;
  peerReconnectMaxMs: number;

  /** Take a snapshot after this many applied entries since the last one. */
  snapshotEveryEntries: number;
  /**
   * Take a snapshot once the log holds this many bytes. The log since the last snapshot
   * is also held in memory (the core reads it synchronously), so this bounds that too.
   */
  snapshotLogBytes: number;
  /** Entries kept in the log behind a snapshot, so a briefly lagging follower needs no snapshot. */
  snapshotTrailingEntries: number;
  /** Size of snapshot chunks sent to followers. */
  snapshotChunkBytes: number;
  /** Snapshots kept on disk. */
  snapshotRetain: number;
  /** Log segment size. */
  segmentBytes: number;

  /** A write or linearizable read not answered in this time gets an error (outcome unknown for writes). */
  commandTimeoutMs: number;
  /** How long a command waits for a leader to be known before -CLUSTERDOWN. */
  leaderWaitMs: number;
  /** Grace before a blocked command whose client went away is abandoned (its cancel proposed). */
  abandonGraceMs: number;
  /** Pooled connections per protocol version from a follower to the leader. */
  forwardPoolSize: number;
  /** How often a joining node retries RAFT JOIN until it is a member. */
  joinRetryMs: number;
  /** A learner within this many entries of the leader's log is promoted to voter. */
  promoteLagEntries: number;
  /** On SIGTERM, how long to wait for leadership to move before exiting anyway. */
  shutdownTransferMs: number;
}

export const DEFAULT_OPTIONS: Readonly<NodeOptions> = Object.freeze({
  id: '1',
  addr: '127.0.0.1:11001',
  advertise: null,
  dataDir: 'data',
  join: null,
  auth: null,
  clusterSecret: null,
  tlsCert: null,
  tlsKey: null,
  nosync: false,
  pipelinedPersistence: true,
  staleReads: false,
  leaseReads: true,
  redirect: false,
  logLevel: 'info',
  logFormat: 'json',
  metricsAddr: null,

  tickIntervalMs: 50,
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 2,
  timeTickIntervalMs: 50,
  clockOffsetMs: 0,
  clockCatchUpPercent: 1,
  enableDebugCommand: false,

  maxBatchCommands: 4096,
  maxBatchBytes: 4 * 1024 * 1024,
  maxAppendBytes: 4 * 1024 * 1024,
  maxInflightAppends: 64,

  maxBulkBytes: DEFAULT_RESP_LIMITS.maxBulkBytes,
  maxArgs: DEFAULT_RESP_LIMITS.maxArgs,
  maxInlineBytes: DEFAULT_RESP_LIMITS.maxInlineBytes,
  maxQueryBufferBytes: DEFAULT_RESP_LIMITS.maxBufferedBytes,
  maxPipelineCommands: 1024,
  maxOutputBufferBytes: 64 * 1024 * 1024,
  maxClients: 10_000,

  maxPeerMessageBytes: 64 * 1024 * 1024,
  maxPeerQueueMessages: 8192,
  maxPeerQueueBytes: 256 * 1024 * 1024,
  peerReconnectMinMs: 50,
  peerReconnectMaxMs: 2000,

  snapshotEveryEntries: 200_000,
  snapshotLogBytes: 64 * 1024 * 1024,
  snapshotTrailingEntries: 10_000,
  snapshotChunkBytes: 1024 * 1024,
  snapshotRetain: 3,
  segmentBytes: 16 * 1024 * 1024,

  commandTimeoutMs: 10_000,
  leaderWaitMs: 3000,
  abandonGraceMs: 3000,
  forwardPoolSize: 4,
  joinRetryMs: 500,
  promoteLagEntries: 1000,
  shutdownTransferMs: 3000,
});

export class OptionsError extends Error {
  override name = 'OptionsError';
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[^\s:]+):(\d{1,5})$/;

export function parseHostPort(value: string, option: string): { host: string; port: number } {
  const m = HOST_PORT.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port < 0 || port > 65535) {
    throw new OptionsError(`${option}: expected host:port, got '${value}'`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

type NumericOption = { [K in keyof NodeOptions]: NodeOptions[K] extends number ? K : never }[keyof NodeOptions];

/** Minimum accepted value per numeric option (every one is an integer). */
const MINIMUMS: Record<NumericOption, number> = {
  tickIntervalMs: 1,
  electionTimeoutTicks: 2,
  heartbeatIntervalTicks: 1,
  timeTickIntervalMs: 1,
  clockOffsetMs: Number.MIN_SAFE_INTEGER,
  clockCatchUpPercent: 0,
  maxBatchCommands: 1,
  maxBatchBytes: 1024,
  maxAppendBytes: 1024,
  maxInflightAppends: 1,
  maxBulkBytes: 1,
  maxArgs: 1,
  maxInlineBytes: 16,
  maxQueryBufferBytes: 1024,
  maxPipelineCommands: 1,
  maxOutputBufferBytes: 1024,
  maxClients: 1,
  maxPeerMessageBytes: 1024,
  maxPeerQueueMessages: 1,
  maxPeerQueueBytes: 1024,
  peerReconnectMinMs: 1,
  peerReconnectMaxMs: 1,
  snapshotEveryEntries: 1,
  snapshotLogBytes: 1024,
  snapshotTrailingEntries: 0,
  snapshotChunkBytes: 1024,
  snapshotRetain: 1,
  segmentBytes: 4096,
  commandTimeoutMs: 1,
  leaderWaitMs: 0,
  abandonGraceMs: 0,
  forwardPoolSize: 1,
  joinRetryMs: 1,
  promoteLagEntries: 0,
  shutdownTransferMs: 0,
};

/** Fills defaults and checks every option; throws OptionsError naming the first bad one. */
export function resolveOptions(partial: Partial<NodeOptions>): NodeOptions {
  const options: NodeOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  for (const [key, min] of Object.entries(MINIMUMS) as [NumericOption, number][]) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < min) {
      throw new OptionsError(`${key}: expected an integer >= ${min}, got ${String(value)}`);
    }
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(options.id)) {
    throw new OptionsError(`id: expected 1-64 letters, digits, '.', '_' or '-', got '${options.id}'`);
  }
  parseHostPort(options.addr, 'addr');
  if (options.advertise !== null) parseHostPort(options.advertise, 'advertise');
  if (options.join !== null) parseHostPort(options.join, 'join');
  if (options.metricsAddr !== null) parseHostPort(options.metricsAddr, 'metrics-addr');
  if ((options.tlsCert === null) !== (options.tlsKey === null)) {
    throw new OptionsError('tls-cert and tls-key go together: set both or neither');
  }
  if (options.heartbeatIntervalTicks >= options.electionTimeoutTicks) {
    throw new OptionsError('heartbeatIntervalTicks must be smaller than electionTimeoutTicks');
  }
  if (options.peerReconnectMaxMs < options.peerReconnectMinMs) {
    throw new OptionsError('peerReconnectMaxMs must be >= peerReconnectMinMs');
  }
  if (options.maxAppendBytes > options.maxPeerMessageBytes / 2) {
    throw new OptionsError('maxAppendBytes must be at most half of maxPeerMessageBytes');
  }
  if (options.snapshotChunkBytes > options.maxPeerMessageBytes / 2) {
    throw new OptionsError('snapshotChunkBytes must be at most half of maxPeerMessageBytes');
  }
  if (options.clusterSecret === null) options.clusterSecret = options.auth;
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The address peers and clients should use for this node. */
export function advertisedAddr(options: NodeOptions): string {
  return options.advertise ?? options.addr;
}
