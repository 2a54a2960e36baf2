/**
 * kvd: a Redis-compatible replicated key/value store. Strings, the keyspace and expiry
 * with Redis 7's replies and errors, 16 databases, plus a few hash and list commands.
 * See README.md for the command list and what differs from Redis.
 */
import { defineApp } from '../../lib/framework/app.js';
import { registerCounterCommands } from './counters.js';
import { registerDatabaseCommands } from './databases.js';
import { activeExpire, registerExpireCommands } from './expire.js';
import { registerHashCommands } from './hashes.js';
import { registerKeyspaceCommands } from './keyspace.js';
import { registerListCommands } from './lists.js';
import { registerScan } from './scan.js';
import { registerSetCommands } from './set.js';
import { restore, snapshot } from './snapshot.js';
import { createData, DATABASES, type KvData } from './store.js';
import { registerStringCommands } from './strings.js';

export const KVD_VERSION = '0.1.0';

export const kvdApp = defineApp<KvData>({
  name: 'kvd',
  version: KVD_VERSION,
  databases: DATABASES,
  initialData: createData,
  snapshot,
  restore,
  tick: activeExpire,
  keyspace(data) {
    const out: [number, number, number][] = [];
    data.dbs.forEach((db, index) => {
      if (db.size > 0) out.push([index, db.size, db.expiringCount]);
    });
    return out;
  },
});

registerSetCommands(kvdApp);
registerStringCommands(kvdApp);
registerCounterCommands(kvdApp);
registerKeyspaceCommands(kvdApp);
registerScan(kvdApp);
registerDatabaseCommands(kvdApp);
registerExpireCommands(kvdApp);
registerHashCommands(kvdApp);
registerListCommands(kvdApp);

export type { KvData };
