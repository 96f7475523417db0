import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config.js';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the install-and-start command and the test command', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it.each(Object.values(OPTIONS).map((o) => [o.env, o.flag]))('documents %s (%s) in the configuration table', (env, flag) => {
    expect(readme).toMatch(new RegExp(`\\| \`${env}\` \\| \`${flag}\` \\|`));
  });

  it('.ci/run runs exactly the README test command', () => {
    const ci = fs.readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });
});
