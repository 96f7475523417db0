// `latch master-key rotate` in its own OS process, so a test can kill -9 it mid-way: the wiring of
// src/admin.ts with the store of the environment (SQLite in LATCH_DATA_DIR, or PostgreSQL schema
// TEST_PG_SCHEMA). Progress lines go to stdout; the result is the last line, as JSON.
import { loadConfig } from '../../src/config.js';
import { rotateMasterKeyCommand } from '../../src/admin.js';

const config = loadConfig(process.env);
const result = await rotateMasterKeyCommand(config, {
  target: config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, schema: process.env.TEST_PG_SCHEMA } : undefined,
  batch: Number(process.env.TEST_BATCH ?? 50),
  print: (l) => process.stdout.write(l + '\n'),
});
process.stdout.write(JSON.stringify(result) + '\n');
