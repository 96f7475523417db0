import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main.js';
import { lazyChildLogger } from '../../src/http/plugins/lazy-logger.js';
import { Capture } from '../harness.js';

const lines = (c: Capture) =>
  c.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request loggers made on first use', () => {
  it('write with the request bindings once they log, and redact like the parent', () => {
    const out = new Capture();
    const log = lazyChildLogger(createLogger('info', out), { reqId: 'r-1' }, {});
    log.info({ password: 'hunter2-secret' }, 'hello');
    log.error('bad');
    expect(lines(out)).toMatchObject([
      { reqId: 'r-1', msg: 'hello', password: '[redacted]' },
      { reqId: 'r-1', msg: 'bad', level: 50 },
    ]);
    expect(out.text).not.toContain('hunter2-secret');
  });

  it('drop calls below the level, and follow a level set on them', () => {
    const out = new Capture();
    const log = lazyChildLogger(createLogger('warn', out), { reqId: 'r-2' }, {});
    log.info('dropped');
    log.debug('dropped');
    expect(out.text).toBe('');
    expect(log.level).toBe('warn');
    log.level = 'debug';
    log.debug('kept');
    expect(lines(out)).toMatchObject([{ reqId: 'r-2', msg: 'kept' }]);
  });
});
