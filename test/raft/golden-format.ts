/**
 * Text forms of entries, messages, Readies and statuses for the golden interaction
 * scripts. Stable and compact: `term/index`, fields only when present.
 */
import { decodeConfChange } from '../../lib/raft/core/conf-change-codec.js';
import { EntryKind, type ConfState, type Entry, type Message, type Ready, type Status } from '../../lib/raft/core/types.js';
import { decodeRound } from '../../lib/raft/core/read-index.js';

const decoder = new TextDecoder();

export function bytes(data: Uint8Array): string {
  const text = decoder.decode(data);
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `0x${Buffer.from(data).toString('hex')}`;
}

export function entry(e: Entry): string {
  if (e.kind === EntryKind.ConfChange) {
    const c = decodeConfChange(e.data);
    return `${e.term}/${e.index} conf(${c.op} ${c.id})`;
  }
  return `${e.term}/${e.index} ${bytes(e.data)}`;
}

export function entries(list: readonly Entry[]): string {
  return list.map(entry).join(', ');
}

export function conf(c: ConfState): string {
  const ids = (ms: ConfState['voters']): string => ms.map((m) => m.id).join(',');
  return `voters=(${ids(c.voters)}) learners=(${ids(c.learners)})`;
}

/** Heartbeat contexts are read rounds; everything else prints as bytes. */
function context(m: Message): string {
  const ctx = m.context;
  if (ctx === undefined || ctx === null) return '';
  if ((m.type === 'heartbeat' || m.type === 'heartbeatResp') && ctx.byteLength === 8) return ` round=${decodeRound(ctx)}`;
  return ` ctx=${bytes(ctx)}`;
}

export function message(m: Message): string {
  let out = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  if (m.index !== undefined) out += ` index=${m.index}`;
  if (m.logTerm !== undefined) out += ` logTerm=${m.logTerm}`;
  if (m.commit !== undefined) out += ` commit=${m.commit}`;
  if (m.reject === true) out += ' reject';
  if (m.rejectHint !== undefined) out += ` hint=${m.rejectHint}`;
  out += context(m);
  if (m.snapshot !== undefined && m.snapshot !== null) out += ` snapshot=${m.snapshot.term}/${m.snapshot.index}`;
  if (m.chunk !== undefined && m.chunk !== null) out += ` chunk=${m.chunk.offset}+${m.chunk.data.byteLength}/${m.chunk.totalBytes}`;
  if (m.entries !== undefined && m.entries.length > 0) out += ` [${entries(m.entries)}]`;
  return out;
}

export function ready(id: string, rd: Ready): string[] {
  const out = [`${id} ready:`];
  if (rd.softState !== null) out.push(`  soft: leader=${rd.softState.leader ?? 'none'} role=${rd.softState.role}`);
  if (rd.hardState !== null) out.push(`  hard: term=${rd.hardState.term} vote=${rd.hardState.vote ?? 'none'} commit=${rd.hardState.commit}`);
  if (rd.snapshot !== null) out.push(`  snapshot: ${rd.snapshot.meta.term}/${rd.snapshot.meta.index} ${conf(rd.snapshot.meta.conf)} bytes=${rd.snapshot.data.byteLength}`);
  if (rd.entries.length > 0) out.push(`  entries: ${entries(rd.entries)}${rd.mustSync ? '' : ' (no sync)'}`);
  else if (rd.mustSync) out.push('  must sync');
  if (rd.committedEntries.length > 0) out.push(`  committed: ${entries(rd.committedEntries)}`);
  if (rd.messagesBeforePersist.length > 0) {
    out.push('  send before persisting:');
    for (const m of rd.messagesBeforePersist) out.push(`    ${message(m)}`);
  }
  if (rd.messages.length > 0) {
    out.push('  send after persisting:');
    for (const m of rd.messages) out.push(`    ${message(m)}`);
  }
  for (const rs of rd.readStates) out.push(`  read state: ctx=${bytes(rs.ctx)} index=${rs.index}`);
  if (rd.persistTo !== undefined && rd.persistTo !== null) out.push(`  persist to: ${rd.persistTo.term}/${rd.persistTo.index}`);
  return out;
}

/** An async node's writes became durable and released these held messages. */
export function persisted(id: string, writes: number, sent: readonly Message[]): string[] {
  const out = [`${id} persisted ${writes} write${writes === 1 ? '' : 's'}`];
  if (sent.length > 0) {
    out.push('  releases:');
    for (const m of sent) out.push(`    ${message(m)}`);
  }
  return out;
}

export function status(s: Status): string {
  let out = `${s.id} ${s.role} term=${s.term} vote=${s.vote ?? 'none'} leader=${s.leader ?? 'none'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} ${conf(s.conf)}`;
  if (s.transferee !== null) out += ` transferee=${s.transferee}`;
  const lines = [out];
  if (s.progress !== null) {
    for (const [id, p] of s.progress) lines.push(`  ${id}: ${p.state} match=${p.match} next=${p.next}${p.learner ? ' learner' : ''}${p.recentActive ? '' : ' inactive'}`);
  }
  return lines.join('\n');
}
