// `latch serve` in its own OS process, exactly as the binary runs it (src/cli/index.ts: the CLI's
// error handling, exit code and stderr), for the tests that look at what a start-up refusal
// prints and leaves behind. The store and keys come from the environment (LATCH_*).
process.argv.splice(2, process.argv.length, 'serve');
await import('../../src/cli/index.js');
