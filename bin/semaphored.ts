#!/usr/bin/env node
// semaphored: a fault-tolerant distributed semaphore service. `semaphored --help` lists the flags.
import { run } from '../lib/framework/run.js';
import { semaphoredApp } from '../examples/semaphored/app.js';

await run(semaphoredApp);
