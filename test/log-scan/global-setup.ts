// vitest globalSetup: every server the suite starts logs at trace level into one directory
// (test/harness.ts testLogger), and after the whole run those logs are scanned for secrets. A
// secret anywhere fails the run, whichever test made the server log it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanLine, type Finding } from './scan.js';

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-test-logs-'));
  process.env.LATCH_TEST_LOG_DIR = dir;
  return () => {
    const findings: Finding[] = [];
    let lines = 0;
    for (const f of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      text.split('\n').forEach((line, i) => {
        if (!line) return;
        lines++;
        findings.push(...scanLine(line, `${f}:${i + 1}`));
      });
    }
    process.stdout.write(`log scan: ${lines} trace-level log lines from the whole run, ${findings.length} secrets found\n`);
    if (findings.length) {
      throw new Error(
        `secrets in the server logs:\n${findings
          .slice(0, 20)
          .map((x) => `  ${x.what} at ${x.where}: ${x.excerpt}`)
          .join('\n')}\n(logs kept in ${dir})`,
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
