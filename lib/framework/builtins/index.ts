import type { BuiltinCommand } from './types.js';
import { connectionCommands } from './connection-commands.js';
import { clientCommand } from './client-command.js';
import { commandCommand } from './command-command.js';
import { infoCommand } from './info-command.js';
import { debugCommand } from './debug-command.js';
import { raftCommand } from '../admin/raft-command.js';
import { clusterCommand, machineCommand } from '../admin/cluster-command.js';

/** Every command the framework serves itself, on every node. */
export const builtinCommands: readonly BuiltinCommand[] = [
  ...connectionCommands,
  clientCommand,
  commandCommand,
  infoCommand,
  debugCommand,
  raftCommand,
  clusterCommand,
  machineCommand,
];
