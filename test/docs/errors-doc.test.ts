import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors/catalog.js';
import { catalogGroups, CATALOG_FILE, ERRORS_DOC, generateErrorsDoc } from '../../scripts/gen-errors.js';

describe('docs/errors.md', () => {
  it('is up to date with src/errors/catalog.ts (run `npm run gen:errors` when this fails)', () => {
    expect(fs.readFileSync(ERRORS_DOC, 'utf8')).toBe(generateErrorsDoc());
  });

  it('lists every catalogued code once, with its status, grouped as in the catalogue', () => {
    const groups = catalogGroups(fs.readFileSync(CATALOG_FILE, 'utf8'));
    const codes = groups.flatMap((g) => g.codes);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(ERRORS).sort());
    const doc = generateErrorsDoc();
    for (const [code, e] of Object.entries(ERRORS)) expect(doc).toContain(`| \`${code}\` | ${e.status} |`);
    expect(groups.map((g) => g.title)).toContain('Authentication (401) and authorisation (403)');
  });

  it('is deterministic', () => {
    expect(generateErrorsDoc()).toBe(generateErrorsDoc());
  });

  it('fails loudly when the source and the runtime catalogue disagree', () => {
    const src = 'export const ERRORS = {\n  // one\n  A: { status: 400, message: "a" },\n} as const;\n';
    expect(() => generateErrorsDoc({ A: { status: 400, message: 'a' }, B: { status: 404, message: 'b' } }, src)).toThrow(
      /missing from source/,
    );
    expect(generateErrorsDoc({ A: { status: 400, message: 'a|b' } }, src)).toContain('| `A` | 400 | `a\\|b` |  |');
  });
});
