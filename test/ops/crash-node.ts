// A Latch server in its own OS process, for test/ops/crash*.test.ts to kill with SIGKILL: the
// `latch serve` wiring (startServer) on SQLite in LATCH_DATA_DIR, or on PostgreSQL schema
// TEST_PG_SCHEMA. Prints its URL and pid as one JSON line. With TEST_WAIT_FOR_GO it loads its modules and
// then waits for a line on stdin before opening the store: the next round's process gets ready
// while the current one is still being written to, yet starts only after that one was killed.
import readline from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';

if (process.env.TEST_WAIT_FOR_GO) {
  const rl = readline.createInterface({ input: process.stdin });
  await new Promise((go) => rl.once('line', go));
  rl.close();
}
const config = loadConfig({ ...process.env, LATCH_PORT: '0', LATCH_HOST: '127.0.0.1' });
const server = await startServer(config, {
  target: config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, schema: process.env.TEST_PG_SCHEMA } : undefined,
  log: pino({ level: 'silent' }),
  print: () => undefined,
});
process.stdout.write(JSON.stringify({ url: server.url, pid: process.pid }) + '\n');
