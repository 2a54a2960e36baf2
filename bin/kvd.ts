#!/usr/bin/env node
// kvd: a Raft-replicated, Redis-compatible key/value store. `kvd --help` lists the flags.
import { run } from '../lib/framework/run.js';
import { kvdApp } from '../examples/kvd/app.js';

await run(kvdApp);
