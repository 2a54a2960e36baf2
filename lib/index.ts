/** respraft's public API: define an app, run it. */
export { defineApp, App, Blocked } from './framework/app.js';
export type { Machine, AppDefinition, CommandSpec, ArgumentSpec, WriteHandler, ReadHandler, LocalHandler, LocalContext } from './framework/app.js';
export { run } from './framework/run.js';
export { RaftAppNode } from './framework/node.js';
export { resolveOptions, DEFAULT_OPTIONS } from './framework/options.js';
export type { NodeOptions } from './framework/options.js';
export { ReplyError, SimpleString, OK, Double, Verbatim, NULL_ARRAY } from './resp/types.js';
export type { Reply } from './resp/types.js';
