/** Feeds a RequestParser in chunks and records what a user would see. */
import assert from 'node:assert/strict';
import { RequestParser } from '../../lib/resp/parser.js';
import type { RespLimits } from '../../lib/resp/limits.js';

export interface Outcome {
  /** Commands, each argument as a latin1 string so any byte survives the comparison. */
  commands: string[][];
  error: string | null;
  /** parser.bufferedBytes at the end (0 after an error). */
  pending: number;
}

/** Parses `chunks` in order; checks bufferedBytes against the limit after every push. */
export function feed(chunks: readonly Buffer[], limits: Partial<RespLimits> = {}): Outcome {
  const parser = new RequestParser(limits);
  const maxBuffered = limits.maxBufferedBytes ?? Infinity;
  const commands: string[][] = [];
  const onCommand = (args: Buffer[]): void => {
    commands.push(args.map((arg) => arg.toString('latin1')));
  };
  let error: Error | null = null;
  for (const chunk of chunks) {
    error = parser.push(chunk, onCommand);
    assert.ok(parser.bufferedBytes <= maxBuffered, `bufferedBytes ${parser.bufferedBytes} > ${maxBuffered}`);
    if (error) {
      assert.equal(parser.push(Buffer.from('PING\r\n'), onCommand), error, 'the error state is sticky');
      break;
    }
  }
  return { commands, error: error ? error.message : null, pending: parser.bufferedBytes };
}

/** The input whole, byte by byte, and cut in two at every boundary. */
export function everySplit(input: Buffer): Buffer[][] {
  const splits: Buffer[][] = [[input]];
  splits.push(Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)));
  for (let i = 1; i < input.length; i++) splits.push([input.subarray(0, i), input.subarray(i)]);
  return splits;
}

/** Cuts `input` at the given sorted positions. */
export function cutAt(input: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(input.subarray(from, cut));
    from = cut;
  }
  chunks.push(input.subarray(from));
  return chunks;
}
