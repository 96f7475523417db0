#!/usr/bin/env node
import { Command } from 'commander';
import { serve, SERVE_FLAGS } from './commands/serve.js';

const program = new Command('latch').description('Latch: access-control plane for IoT platforms');
const s = program.command('serve').description('Run the Latch server');
for (const f of SERVE_FLAGS) s.option(f.boolean ? f.flag : `${f.flag} <value>`, f.description);
s.action(async (opts: Record<string, string | boolean>) => {
  try {
    await serve(opts as never);
  } catch (e) {
    process.stderr.write(`ERROR: ${(e as Error).message}\n`);
    process.exit(1);
  }
});
await program.parseAsync(process.argv);
