/**
 * Throughput of the RESP layer, in process (no sockets):
 *   npx tsx bench/resp-parser.ts
 * Parser: pipelined requests fed in 64 KB chunks, as a socket delivers them.
 * Writer: replies written in batches of 16 (one redis-benchmark -P 16 pipeline) per take().
 */
import { RequestParser } from '../lib/resp/parser.js';
import { ReplyWriter } from '../lib/resp/writer.js';
import { OK } from '../lib/resp/types.js';

const CHUNK = 64 * 1024;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

function multibulk(args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** A stream of `count` requests cut into socket-sized chunks (cuts fall mid-request). */
function stream(requests: (i: number) => string, count: number): Buffer[] {
  const all = Buffer.from(Array.from({ length: count }, (_, i) => requests(i)).join(''));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, i + CHUNK));
  return chunks;
}

/** Runs `round` until SECONDS have passed (after a warm-up); returns rounds per second. */
function measure(round: () => void): number {
  for (let i = 0; i < 3; i++) round();
  let rounds = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(SECONDS * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    round();
    rounds++;
    elapsed = process.hrtime.bigint() - start;
  }
  return rounds / (Number(elapsed) / 1e9);
}

function benchParser(name: string, requests: (i: number) => string): void {
  const count = 100_000;
  const chunks = stream(requests, count);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  let seen = 0;
  const onCommand = (args: Buffer[]): void => {
    seen += args.length;
  };
  const rate = measure(() => {
    const parser = new RequestParser();
    for (const chunk of chunks) {
      if (parser.push(chunk, onCommand) !== null) throw new Error('unexpected protocol error');
    }
  });
  if (seen === 0) throw new Error('nothing parsed');
  report(`parser  ${name}`, rate * count, (rate * bytes) / 1e6);
}

function benchWriter(name: string, write: (w: ReplyWriter, i: number) => void, take: (w: ReplyWriter) => Buffer): void {
  const batches = 10_000;
  const writer = new ReplyWriter();
  let bytes = 0;
  const rate = measure(() => {
    bytes = 0;
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 16; i++) write(writer, i);
      bytes += take(writer).length;
    }
  });
  report(`writer  ${name}`, rate * batches * 16, (rate * bytes) / 1e6);
}

function report(name: string, perSecond: number, mbPerSecond: number): void {
  const ops = (perSecond / 1e6).toFixed(2).padStart(6);
  console.log(`${name.padEnd(44)} ${ops} M/s  ${mbPerSecond.toFixed(0).padStart(5)} MB/s`);
}

const value16 = 'v'.repeat(16);
const value16Bytes = Buffer.from(value16);
const view = (w: ReplyWriter): Buffer => w.take();
const copy = (w: ReplyWriter): Buffer => Buffer.from(w.take());

console.log(`node ${process.version}, ${SECONDS}s per line, ${CHUNK / 1024} KB chunks, replies in batches of 16`);
benchParser('SET key:NNN value16 (multibulk)', (i) => multibulk(['SET', `key:${100000 + i}`, value16]));
benchParser('PING (multibulk)', () => '*1\r\n$4\r\nPING\r\n');
benchParser('PING (inline)', () => 'PING\r\n');
benchParser('SET key:NNN value16 (inline)', (i) => `SET key:${100000 + i} ${value16}\r\n`);
benchWriter('+OK', (w) => w.simple('OK'), view);
benchWriter('+OK via write(OK)', (w) => w.write(OK, 2), view);
benchWriter('bulk 16-byte string', (w) => w.bulk(value16), view);
benchWriter('bulk 16-byte Buffer', (w) => w.bulk(value16Bytes), view);
benchWriter('integer', (w, i) => w.integer(i * 1000), view);
benchWriter('bulk 16-byte string, take() copied', (w) => w.bulk(value16), copy);
benchWriter('integer, take() copied', (w, i) => w.integer(i * 1000), copy);
