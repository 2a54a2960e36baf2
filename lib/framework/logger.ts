/**
 * Logging: pino JSON lines on stdout, or human-readable lines with `--log-format pretty`
 * (pino-pretty is a development tool: when it is not installed, say so and stay on JSON).
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogFormat, LogLevel } from './options.js';

export type { Logger } from 'pino';

export interface LoggerHandle {
  readonly logger: Logger;
  /** Writes out what is buffered; call before the process exits. */
  flush(): void;
}

export function createLogger(options: { name: string; level: LogLevel; format: LogFormat; nodeId?: string }): LoggerHandle {
  const base = options.nodeId === undefined ? { app: options.name } : { app: options.name, node: options.nodeId };
  let stream: DestinationStream;
  let flush: () => void;
  let fallbackNote: string | null = null;
  const pretty = options.format === 'pretty' ? loadPretty() : null;
  if (pretty !== null) {
    stream = pretty({ colorize: process.stdout.isTTY === true, sync: true, ignore: 'pid,hostname' });
    flush = () => {};
  } else {
    if (options.format === 'pretty') fallbackNote = 'pino-pretty is not installed (a dev dependency); logging JSON instead';
    const destination = pino.destination({ dest: 1, sync: false, minLength: 0 });
    stream = destination;
    flush = () => {
      try {
        destination.flushSync();
      } catch {
        // Flushing an unready or closed stream at exit is best effort.
      }
    };
  }
  const logger = pino({ level: options.level, base, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  if (fallbackNote !== null) logger.warn(fallbackNote);
  return { logger, flush };
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

function loadPretty(): PrettyFactory | null {
  try {
    const require = createRequire(import.meta.url);
    // pino-pretty is CommonJS with a default export function.
    const mod = require('pino-pretty') as PrettyFactory | { default: PrettyFactory };
    return typeof mod === 'function' ? mod : mod.default;
  } catch {
    return null;
  }
}

/** A logger that drops everything: unit tests and library use without output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
