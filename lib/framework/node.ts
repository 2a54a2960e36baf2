/**
 * A running node: opens storage, restores the newest snapshot, starts the Raft core and
 * driver, the transport, the RESP listener and the framework pieces around them, and
 * stops them in the right order. Bootstrap, joining and membership bookkeeping live here
 * because they span all of those pieces.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { App } from './app.js';
import { advertisedAddr, parseHostPort, type NodeOptions } from './options.js';
import { createRaftNode } from '../raft/core/index.js';
import { EMPTY_CONF } from '../raft/core/membership.js';
import type { ConfState, RaftNode, SnapshotMeta } from '../raft/core/types.js';
import { createRaftStorageView, reconcileLogWithSnapshot } from '../raft/storage/raft-storage-view.js';
import { openFileStorage, type FileStorage } from '../raft/storage/file-storage.js';
import { RaftDriver } from '../raft/driver.js';
import { rngFromSeed } from '../util/rng.js';
import { TcpTransport } from '../transport/tcp-transport.js';
import { StateMachine } from './state-machine.js';
import { Replicator } from './replicator.js';
import { Forwarder } from './forwarder.js';
import { Membership } from './membership.js';
import { Snapshotter } from './snapshotter.js';
import { Router } from './router.js';
import { RespServer } from './server.js';
import { CommandTable } from './command-table.js';
import { builtinCommands } from './builtins/index.js';
import type { AdminApi, BuiltinContext } from './builtins/types.js';
import { ALL_INFO_SECTIONS, DEFAULT_INFO_SECTIONS, infoSection, raftInfoFields, type InfoSource } from './info.js';
import { frameworkErrors } from './errors.js';
import { secretsMatch } from './router.js';
import { Joiner } from './joiner.js';
import { clearJoinPending, decideStartMode, inspectDataDir, markJoinPending } from './start-mode.js';
import { startMetricsServer } from './metrics.js';
import type { Server as HttpServer } from 'node:http';
import type { ReplyError, Reply } from '../resp/types.js';
import { DEFAULT_RESP_LIMITS } from '../resp/limits.js';
import type { ClientConnection, DispatchResult } from './connection.js';

export class RaftAppNode<D> {
  readonly startedAtMs = Date.now();
  private storage!: FileStorage;
  private sm!: StateMachine<D>;
  private core!: RaftNode;
  private driver!: RaftDriver;
  private transport!: TcpTransport;
  private replicator!: Replicator<D>;
  private forwarder!: Forwarder;
  private membership!: Membership<D>;
  private snapshotter!: Snapshotter<D>;
  private router!: Router<D>;
  private table!: CommandTable<D>;
  private server!: RespServer;
  private joiner: Joiner | null = null;
  private metricsServer: HttpServer | null = null;
  private lastPeersKey = '';
  private stopping = false;
  /** Called when the node cannot go on (a storage failure); the process should exit. */
  onFatal: (err: Error) => void = () => {};
  /** The address the listener really bound (port 0 resolves here). */
  boundAddr = '';

  constructor(
    readonly app: App<D>,
    readonly options: NodeOptions,
    readonly log: Logger,
  ) {}

  get advertised(): string {
    return advertisedAddr(this.options);
  }

  async start(): Promise<void> {
    const o = this.options;
    const dir = inspectDataDir(o.dataDir);
    mkdirSync(o.dataDir, { recursive: true });
    this.storage = await openFileStorage(o.dataDir, { sync: !o.nosync, segmentBytes: o.segmentBytes, retain: o.snapshotRetain });
    const { log, stable, snapshots } = this.storage;
    this.sm = new StateMachine(this.app, this.log);
    const latest = snapshots.latest();
    if (latest !== null) this.restoreFromStore(latest.meta);
    await reconcileLogWithSnapshot(log, snapshots);
    const hasRaftState = stable.load() !== null || latest !== null || log.lastIndex() > 0;
    const mode = decideStartMode(dir, hasRaftState, o.join, o.dataDir);
    if (mode.kind === 'join') markJoinPending(o.dataDir, mode.target);
    // A bootstrapping node founds a cluster of itself; the core writes that configuration to its log.
    const bootstrapConf: ConfState | undefined = mode.kind === 'bootstrap' ? { voters: [{ id: o.id, addr: this.advertised }], learners: [] } : undefined;
    if (bootstrapConf !== undefined) this.log.info({ id: o.id }, 'bootstrapping a new cluster');
    if (mode.kind === 'restart' && o.join !== null) this.log.info({ join: o.join }, 'the node has state: -j is ignored');

    this.core = createRaftNode({
      id: o.id,
      storage: createRaftStorageView(log, stable, snapshots, bootstrapConf),
      applied: this.sm.appliedIndex,
      electionTicks: o.electionTimeoutTicks,
      heartbeatTicks: o.heartbeatIntervalTicks,
      rng: rngFromSeed(randomBytes(4).readUInt32LE(0)),
      preVote: true,
      checkQuorum: true,
      maxMsgBytes: o.maxAppendBytes,
      maxInflightMsgs: o.maxInflightAppends,
      snapshotChunkBytes: o.snapshotChunkBytes,
      maxInflightSnapshotChunks: 4,
      asyncPersistence: o.pipelinedPersistence,
    });
    this.transport = new TcpTransport({
      selfId: o.id,
      selfAddr: this.advertised,
      secret: o.clusterSecret,
      tls: o.tlsCert !== null,
      maxQueueMessages: o.maxPeerQueueMessages,
      maxQueueBytes: o.maxPeerQueueBytes,
      reconnectMinMs: o.peerReconnectMinMs,
      reconnectMaxMs: o.peerReconnectMaxMs,
      maxWriteBytes: Math.min(8 * 1024 * 1024, o.maxPeerMessageBytes / 2),
      maxMessageBytes: o.maxPeerMessageBytes,
      log: this.log.child({ part: 'transport' }),
    });
    this.driver = new RaftDriver({
      core: this.core,
      log,
      stable,
      snapshots,
      transport: this.transport,
      tickIntervalMs: o.tickIntervalMs,
      pipelined: o.pipelinedPersistence,
      commitSaveIntervalMs: 500,
      logger: this.log.child({ part: 'driver' }),
      hooks: {
        installSnapshot: (meta) => this.onSnapshotInstalled(meta),
        snapshotExclusive: (fn) => this.snapshotter.exclusive(fn),
        apply: (entries) => {
          this.snapshotter.observe(entries);
          this.replicator.onApply(entries);
        },
        readStates: (states) => this.replicator.onReadStates(states),
        softState: (state) => this.replicator.onSoftState(state),
        afterReady: () => this.syncPeers(),
        fatal: (err) => this.onFatal(err),
      },
    });
    this.replicator = new Replicator(o, this.sm, this.driver, this.log.child({ part: 'replicator' }), {
      leaderChanged: (_leader, isLeader) => this.onLeaderChanged(isLeader),
      applied: () => this.snapshotter.maybeSnapshot(),
    });
    this.snapshotter = new Snapshotter(o, this.sm, this.replicator, this.driver, log, snapshots, this.log.child({ part: 'snapshot' }), this.confAtStart(latest?.meta ?? null));
    this.membership = new Membership(o, this.driver, this.replicator, this.log.child({ part: 'membership' }));
    this.forwarder = new Forwarder({
      secret: o.clusterSecret,
      tls: o.tlsCert !== null,
      poolSize: o.forwardPoolSize,
      timeoutMs: o.commandTimeoutMs,
      maxReplyBytes: o.maxBulkBytes,
      log: this.log.child({ part: 'forwarder' }),
    });
    await this.listen();
    if (o.metricsAddr !== null) await this.startMetrics(o.metricsAddr);
    this.syncPeers();
    this.driver.start();
    this.replicator.start();
    if (mode.kind === 'bootstrap') this.driver.withCore((core) => core.campaign());
    if (mode.kind === 'join') this.startJoining(mode.target);
    this.log.info({ addr: this.boundAddr, advertise: this.advertised, id: o.id, dataDir: o.dataDir, mode: mode.kind }, `${this.app.name} node started`);
  }

  /** Membership as of the state machine's applied index (snapshot's conf or bootstrap). */
  private confAtStart(meta: SnapshotMeta | null): ConfState {
    return meta?.conf ?? EMPTY_CONF;
  }

  private restoreFromStore(meta: SnapshotMeta): void {
    const started = performance.now();
    this.sm.restore(this.storage.snapshots.readBatches(), meta.index, meta.term);
    this.log.info({ index: meta.index, ms: Math.round(performance.now() - started) }, 'restored state from snapshot');
  }

  private onSnapshotInstalled(meta: SnapshotMeta): void {
    this.replicator.pauseApply();
    try {
      this.restoreFromStore(meta);
      this.snapshotter.installed(meta.index, meta.conf);
      this.replicator.snapshotInstalled(meta.index);
    } finally {
      this.replicator.resumeApply();
    }
  }

  private async listen(): Promise<void> {
    const o = this.options;
    const { host, port } = parseHostPort(o.addr, 'addr');
    this.table = new CommandTable(builtinCommands, this.app);
    this.router = new Router({
      options: o,
      table: this.table,
      builtins: this.builtinContext(),
      replicator: this.replicator,
      sm: this.sm,
      forwarder: this.forwarder,
      transport: this.transport,
      log: this.log.child({ part: 'router' }),
      leaderAddr: () => this.leaderAddr(),
      unavailable: () => this.unavailable(),
    });
    this.server = new RespServer(
      {
        host,
        port,
        tls: o.tlsCert !== null && o.tlsKey !== null ? { certFile: o.tlsCert, keyFile: o.tlsKey } : null,
        limits: {
          resp: { ...DEFAULT_RESP_LIMITS, maxBulkBytes: o.maxBulkBytes, maxArgs: o.maxArgs, maxInlineBytes: o.maxInlineBytes, maxBufferedBytes: o.maxQueryBufferBytes },
          maxPipelineCommands: o.maxPipelineCommands,
          maxOutputBufferBytes: o.maxOutputBufferBytes,
        },
        maxClients: o.maxClients,
        requireAuth: o.auth !== null,
        log: this.log,
      },
      this.router,
    );
    const bound = await this.server.listen();
    this.boundAddr = `${bound.host}:${bound.port}`;
  }

  private unavailable(): ReplyError | null {
    if (this.driver.error !== null) return frameworkErrors.storageFailed();
    if (this.stopping) return frameworkErrors.shuttingDown();
    return null;
  }

  leaderAddr(): string | null {
    const leader = this.replicator.leaderId;
    if (leader === null) return null;
    if (leader === this.options.id) return this.advertised;
    const conf = this.core.status().conf;
    return [...conf.voters, ...conf.learners].find((m) => m.id === leader)?.addr ?? null;
  }

  private onLeaderChanged(isLeader: boolean): void {
    this.forwarder.leaderChanged(this.leaderAddr());
    if (this.leaderAddr() !== null) this.router.leaderKnown();
    if (isLeader) this.log.info({ term: this.core.status().term }, 'this node is the leader');
  }

  /** Keeps the transport's peer list equal to the current membership; ends a join once we vote. */
  private syncPeers(): void {
    const conf = this.core.status().conf;
    if (this.joiner !== null && conf.voters.some((m) => m.id === this.options.id)) {
      // A promotion changes no address, so this is checked before the shortcut below.
      this.joiner.stop();
      this.joiner = null;
      clearJoinPending(this.options.dataDir);
    }
    const peers = new Map<string, string>();
    for (const m of [...conf.voters, ...conf.learners]) if (m.id !== this.options.id) peers.set(m.id, m.addr);
    const key = [...peers].map(([id, addr]) => `${id}=${addr}`).join(',');
    if (key === this.lastPeersKey) return;
    this.lastPeersKey = key;
    this.transport.setPeers(peers);
  }

  private startJoining(target: string): void {
    this.joiner = new Joiner({
      id: this.options.id,
      advertise: this.advertised,
      target,
      secret: this.options.clusterSecret,
      auth: this.options.auth,
      tls: this.options.tlsCert !== null,
      retryMs: this.options.joinRetryMs,
      isVoter: () => this.core.status().conf.voters.some((m) => m.id === this.options.id),
      log: this.log.child({ part: 'join' }),
    });
    this.joiner.start();
  }

  // ---- built-ins and admin -------------------------------------------------------

  private builtinContext(): BuiltinContext {
    const source = this.infoSource();
    return {
      options: this.options,
      appName: this.app.name,
      appVersion: this.app.definition.version,
      databases: this.app.databases,
      startedAtMs: this.startedAtMs,
      commands: this.table as CommandTable,
      connections: () => this.server.connections,
      checkPassword: (password) => this.options.auth !== null && secretsMatch(this.options.auth, password),
      infoSection: (name) => infoSection(source, name),
      defaultInfoSections: DEFAULT_INFO_SECTIONS,
      allInfoSections: ALL_INFO_SECTIONS,
      role: () => (this.replicator.isLeader ? 'master' : 'replica'),
      admin: this.adminApi(source),
    };
  }

  private adminApi(source: InfoSource): AdminApi {
    const o = this.options;
    return {
      nodeId: o.id,
      advertisedAddr: this.advertised,
      leaderId: () => this.replicator.leaderId,
      leaderAddr: () => this.leaderAddr(),
      isLeader: () => this.replicator.isLeader,
      status: () => this.core.status(),
      join: (id, addr, learnerOnly) => this.membership.add(id, addr, learnerOnly, o.commandTimeoutMs * 3),
      remove: (id) => this.membership.remove(id, o.commandTimeoutMs),
      transfer: (id) => this.membership.transfer(id, o.electionTimeoutTicks * o.tickIntervalMs * 4),
      snapshotNow: () => this.snapshotter.take(),
      snapshots: () => this.storage.snapshots.list(),
      raftInfo: () => raftInfoFields(source),
      machine: (): [string, Reply][] => [
        ['app', this.app.name],
        ['app_version', this.app.definition.version],
        ['now_ms', this.sm.timeMs],
        ['now', new Date(this.sm.timeMs).toISOString()],
        ['applied_index', this.sm.appliedIndex],
        ['blocked', this.sm.blocked.size],
      ],
      toLeader: (conn, args) => this.toLeader(conn, args),
    };
  }

  private toLeader(conn: ClientConnection, args: Buffer[]): DispatchResult | null {
    if (this.replicator.isLeader) return null;
    const leader = this.leaderAddr();
    if (leader === null) return frameworkErrors.noLeader(0);
    if (this.options.redirect) return frameworkErrors.moved(leader);
    return this.forwarder.forward(conn.id, conn.proto, leader, conn.db, args);
  }

  private infoSource(): InfoSource {
    const node = this;
    return {
      appName: this.app.name,
      appVersion: this.app.definition.version,
      nodeId: this.options.id,
      addr: this.options.addr,
      advertisedAddr: this.advertised,
      startedAtMs: this.startedAtMs,
      dataDir: this.options.dataDir,
      nosync: this.options.nosync,
      connectedClients: () => [...node.server.connections].filter((c) => c.role === 'client').length,
      peerConnections: () => [...node.server.connections].filter((c) => c.role === 'peer').length,
      blockedClients: () => node.sm.parked.size,
      totalConnections: () => node.server.stats.total,
      rejectedConnections: () => node.server.stats.rejected,
      commandsProcessed: () => [...node.server.connections].reduce((n, c) => n + c.commandsProcessed, 0),
      commandCounts: () => node.router.counts,
      status: () => node.core.status(),
      leaderAddr: () => node.leaderAddr(),
      appliedIndex: () => node.sm.appliedIndex,
      replicatedTimeMs: () => node.sm.timeMs,
      snapshotCount: () => node.snapshotter.taken,
      lastSnapshotIndex: () => node.storage.snapshots.latest()?.meta.index ?? 0,
      logBytes: () => node.storage.log.sizeBytes(),
      fsyncStats: () => {
        const s = node.driver.stats;
        return { count: s.fsyncs, avgMs: s.fsyncs === 0 ? 0 : s.fsyncMsTotal / s.fsyncs, maxMs: s.fsyncMsMax };
      },
      keyspace: () => node.app.definition.keyspace?.(node.sm.data) ?? [],
      proposedEntries: () => node.replicator.writes.proposedEntries,
      proposedCommands: () => node.replicator.writes.proposedCommands,
      readRounds: () => node.replicator.reads.roundsStarted,
      leaseReads: () => node.replicator.lease.served,
      forwardedCommands: () => node.forwarder.forwarded,
    };
  }

  private async startMetrics(addr: string): Promise<void> {
    const { host, port } = parseHostPort(addr, 'metrics-addr');
    this.metricsServer = await startMetricsServer(host, port, {
      commandCounts: () => this.router.counts,
      latency: () => this.router.latency,
      fsyncSeconds: () => this.driver.stats.fsyncSeconds,
      raft: () => {
        const st = this.core.status();
        return {
          term: st.term,
          role: st.role,
          commit: st.commit,
          applied: this.sm.appliedIndex,
          lastIndex: st.lastIndex,
          members: st.conf.voters.length + st.conf.learners.length,
          isLeader: st.role === 'leader',
        };
      },
      connectedClients: () => this.server.connections.size,
      snapshotsTaken: () => this.snapshotter.taken,
      proposedEntries: () => this.replicator.writes.proposedEntries,
      proposedCommands: () => this.replicator.writes.proposedCommands,
    });
  }

  // ---- shutdown --------------------------------------------------------------------

  /** Graceful stop: hand leadership over (bounded), stop serving, flush, close storage. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const o = this.options;
    if (this.replicator.isLeader && this.core.status().conf.voters.length > 1 && o.shutdownTransferMs > 0) {
      try {
        const to = await this.membership.transfer(null, o.shutdownTransferMs);
        this.log.info({ to }, 'handed leadership over before stopping');
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not hand leadership over before stopping');
      }
    }
    this.joiner?.stop();
    this.router.stop();
    this.replicator.stop();
    await this.server.close();
    await new Promise<void>((resolve) => (this.metricsServer === null ? resolve() : this.metricsServer.close(() => resolve())));
    await this.driver.stop();
    this.forwarder.close();
    await this.transport.close();
    await this.storage.close();
    this.log.info('node stopped');
  }
}
