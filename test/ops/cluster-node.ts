// A second Latch node in its own OS process, for test/ops/cluster.test.ts: `latch serve` wiring
// (startServer) on a PostgreSQL schema shared with the test's node. Prints its URL as one JSON line.
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';

// Nodes of a cluster share one issuer (README): the default, each node's own URL, would make A's tokens fail on B.
if (!process.env.LATCH_ISSUER) throw new Error('cluster-node: LATCH_ISSUER must be set, the same as node A');
const config = loadConfig({ ...process.env, LATCH_PORT: '0', LATCH_HOST: '127.0.0.1' });
const server = await startServer(config, {
  target: { kind: 'postgres', url: config.databaseUrl!, schema: process.env.TEST_PG_SCHEMA },
  log: pino({ level: 'silent' }),
  print: () => undefined,
});
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
