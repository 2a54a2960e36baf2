/**
 * Runs an app as a process: parse the command line, start the node, stop it gracefully
 * on SIGTERM/SIGINT (a second signal exits at once), flush the log before exiting.
 */
import type { App } from './app.js';
import { parseCommandLine } from './cli.js';
import { createLogger } from './logger.js';
import { OptionsError } from './options.js';
import { RaftAppNode } from './node.js';

export async function run<D>(app: App<D>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let options;
  try {
    options = await parseCommandLine(app, argv);
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`${app.name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { logger, flush } = createLogger({ name: app.name, level: options.logLevel, format: options.logFormat, nodeId: options.id });
  const node = new RaftAppNode(app, options, logger);
  const exit = (code: number): never => {
    flush();
    process.exit(code);
  };
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    exit(1);
  });
  try {
    await node.start();
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    process.stderr.write(`${app.name}: failed to start: ${(err as Error).message}\n`);
    exit(1);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) exit(1);
    logger.info({ signal }, 'stopping');
    node.stop().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  node.onFatal = (err) => {
    logger.fatal({ err }, 'stopping after a fatal error');
    exit(1);
  };
}
