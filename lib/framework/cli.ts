/**
 * The command line of every app: Uhaha's short flags with long forms, every flag also
 * read from an environment variable with the app's prefix (kvd: KVD_ADDR, KVD_DATA_DIR,
 * ...), validated into NodeOptions before anything starts.
 */
import yargs from 'yargs';
import { join } from 'node:path';
import type { App } from './app.js';
import { DEFAULT_OPTIONS, OptionsError, resolveOptions, type NodeOptions } from './options.js';

type NumericKey = { [K in keyof NodeOptions]: NodeOptions[K] extends number ? K : never }[keyof NodeOptions];

/** Tuning options exposed as --kebab-case flags, with their doc line. */
const TUNING: readonly [NumericKey, string][] = [
  ['tickIntervalMs', 'Raft tick length in ms'],
  ['electionTimeoutTicks', 'base election timeout in ticks (randomized up to 2x)'],
  ['heartbeatIntervalTicks', 'leader heartbeat interval in ticks'],
  ['timeTickIntervalMs', 'how often an idle leader advances replicated time'],
  ['clockOffsetMs', 'added to this node\'s wall clock (fault tests)'],
  ['clockCatchUpPercent', 'how much faster than real time replicated time may run to catch up with the wall clock'],
  ['maxBatchCommands', 'most client commands in one log entry'],
  ['maxBatchBytes', 'most bytes of client commands in one log entry'],
  ['maxAppendBytes', 'most bytes of entries in one append message'],
  ['maxInflightAppends', 'append messages in flight per follower'],
  ['maxBulkBytes', 'longest bulk string accepted from a client'],
  ['maxArgs', 'most arguments in one command'],
  ['maxInlineBytes', 'longest inline command'],
  ['maxQueryBufferBytes', 'most bytes of one incomplete request held'],
  ['maxPipelineCommands', 'unanswered commands per client before reading pauses'],
  ['maxOutputBufferBytes', 'queued reply bytes per client before reading pauses'],
  ['maxClients', 'most client connections'],
  ['maxPeerMessageBytes', 'longest peer message accepted'],
  ['maxPeerQueueMessages', 'messages queued per peer before dropping'],
  ['maxPeerQueueBytes', 'bytes queued per peer before dropping'],
  ['peerReconnectMinMs', 'first reconnect delay to a peer'],
  ['peerReconnectMaxMs', 'longest reconnect delay to a peer'],
  ['snapshotEveryEntries', 'snapshot after this many applied entries'],
  ['snapshotLogBytes', 'snapshot once the log holds this many bytes'],
  ['snapshotTrailingEntries', 'entries kept in the log behind a snapshot'],
  ['snapshotChunkBytes', 'snapshot chunk size sent to followers'],
  ['snapshotRetain', 'snapshots kept on disk'],
  ['segmentBytes', 'log segment size'],
  ['commandTimeoutMs', 'error for a command not answered in this time'],
  ['leaderWaitMs', 'how long a command waits for a leader during an election'],
  ['abandonGraceMs', 'grace before a gone client\'s blocked wait is cancelled'],
  ['forwardPoolSize', 'pooled connections to the leader per protocol version'],
  ['joinRetryMs', 'retry interval of RAFT JOIN while joining'],
  ['promoteLagEntries', 'a learner this close to the leader is promoted'],
  ['shutdownTransferMs', 'time to hand leadership over on SIGTERM'],
];

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envPrefix(appName: string): string {
  return appName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Parses argv (and the environment) into validated options; throws OptionsError. */
export async function parseCommandLine<D>(app: App<D>, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<NodeOptions> {
  const prefix = envPrefix(app.name);
  let parser = yargs([...argv])
    .scriptName(app.name)
    .usage(`$0 [options]\n\n${app.name} ${app.definition.version}: a Raft-replicated service speaking the Redis protocol.\nEvery flag can also be set as ${prefix}_<FLAG_NAME> (for example ${prefix}_DATA_DIR).`)
    .env(prefix)
    .strict()
    .parserConfiguration({ 'camel-case-expansion': true })
    .option('id', { alias: 'n', type: 'string', default: DEFAULT_OPTIONS.id, describe: 'node id, unique in the cluster' })
    .option('addr', { alias: 'a', type: 'string', default: DEFAULT_OPTIONS.addr, describe: 'listen host:port (clients and peers)' })
    .option('data-dir', { alias: 'd', type: 'string', describe: 'data directory [default: data/<app>-<id>]' })
    .option('join', { alias: 'j', type: 'string', describe: 'join the cluster through this member (host:port)' })
    .option('advertise', { type: 'string', describe: 'host:port others use to reach this node [default: --addr]' })
    .option('auth', { type: 'string', describe: 'password clients must AUTH with' })
    .option('cluster-secret', { type: 'string', describe: 'secret peers must present [default: --auth]' })
    .option('tls-cert', { type: 'string', describe: 'PEM certificate (with --tls-key: serve TLS)' })
    .option('tls-key', { type: 'string', describe: 'PEM private key' })
    .option('nosync', { type: 'boolean', default: false, describe: 'never fsync (faster; a crash of a majority may lose acknowledged writes)' })
    .option('stale-reads', { type: 'boolean', default: false, describe: 'serve reads locally without ReadIndex (may be stale)' })
    .option('pipelined-persistence', { type: 'boolean', default: true, describe: 'replicate the next batch while fsyncing the previous (--no-pipelined-persistence: one batch at a time)' })
    .option('lease-reads', { type: 'boolean', default: true, describe: 'the leader answers reads under a lease (--no-lease-reads: a ReadIndex round per batch)' })
    .option('redirect', { type: 'boolean', default: false, describe: 'answer -MOVED to the leader instead of forwarding' })
    .option('log-level', { type: 'string', default: DEFAULT_OPTIONS.logLevel, choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] })
    .option('log-format', { type: 'string', default: DEFAULT_OPTIONS.logFormat, choices: ['json', 'pretty'] })
    .option('metrics-addr', { type: 'string', describe: 'host:port for Prometheus metrics over HTTP' })
    .option('enable-debug-command', { type: 'boolean', default: false, describe: 'serve DEBUG CLOCK-OFFSET (fault tests only)' })
    .group(['id', 'addr', 'data-dir', 'join', 'advertise', 'auth', 'cluster-secret', 'tls-cert', 'tls-key', 'nosync', 'pipelined-persistence', 'stale-reads', 'lease-reads', 'redirect', 'log-level', 'log-format', 'metrics-addr', 'enable-debug-command'], 'Options:');
  for (const [key, doc] of TUNING) {
    parser = parser.option(kebab(key), { type: 'number', default: DEFAULT_OPTIONS[key], describe: doc, group: 'Tuning:' });
  }
  parser = parser.help().alias('help', 'h').version(app.definition.version).wrap(Math.min(120, process.stdout.columns ?? 100));
  // yargs reads process.env for .env(); hand it the environment we were given.
  const saved = process.env;
  process.env = env;
  let parsed: Record<string, unknown>;
  try {
    parsed = (await parser.parseAsync()) as Record<string, unknown>;
  } finally {
    process.env = saved;
  }
  const str = (k: string): string | null => (typeof parsed[k] === 'string' && parsed[k] !== '' ? (parsed[k] as string) : null);
  const id = str('id') ?? DEFAULT_OPTIONS.id;
  const partial: Partial<NodeOptions> = {
    id,
    addr: str('addr') ?? DEFAULT_OPTIONS.addr,
    dataDir: str('dataDir') ?? join('data', `${app.name}-${id}`),
    join: str('join'),
    advertise: str('advertise'),
    auth: str('auth'),
    clusterSecret: str('clusterSecret'),
    tlsCert: str('tlsCert'),
    tlsKey: str('tlsKey'),
    nosync: parsed.nosync === true,
    staleReads: parsed.staleReads === true,
    leaseReads: parsed.leaseReads !== false,
    pipelinedPersistence: parsed.pipelinedPersistence !== false,
    redirect: parsed.redirect === true,
    logLevel: (str('logLevel') ?? DEFAULT_OPTIONS.logLevel) as NodeOptions['logLevel'],
    logFormat: (str('logFormat') ?? DEFAULT_OPTIONS.logFormat) as NodeOptions['logFormat'],
    metricsAddr: str('metricsAddr'),
    enableDebugCommand: parsed.enableDebugCommand === true,
  };
  for (const [key] of TUNING) {
    const value = parsed[key];
    if (typeof value === 'number') partial[key] = value;
    else if (value !== undefined) throw new OptionsError(`${kebab(key)}: expected a number`);
  }
  return resolveOptions(partial);
}
