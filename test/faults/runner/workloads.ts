/** The workload a run's options name. */
import { AppendWorkload } from '../workloads/append.js';
import { CounterWorkload } from '../workloads/counter.js';
import { RegisterWorkload } from '../workloads/register.js';
import { SemaphoreWorkload } from '../workloads/semaphore.js';
import type { Workload } from '../workloads/workload.js';
import type { RunOptions } from './options.js';

export function makeWorkload(o: RunOptions): Workload {
  switch (o.workload) {
    case 'register':
      return new RegisterWorkload(o.workers, 4, 150, o.checkTimeMs);
    case 'counter':
      return new CounterWorkload(o.workers);
    case 'set':
      return new AppendWorkload(o.workers);
    case 'semaphore':
      return new SemaphoreWorkload(o.workers);
  }
}
