/**
 * Generates docs/errors.md from src/errors/catalog.ts.
 *
 *   npm run gen:errors            # (re)writes docs/errors.md
 *   npm run gen:errors -- --check # exits 1 when docs/errors.md is stale
 *
 * Status and message come from the runtime catalogue (ERRORS); the grouping and its order come
 * from the `// heading` comments in the catalogue's source, read with the TypeScript parser, so
 * the document follows the catalogue exactly as it is written. Output is deterministic: no
 * dates, no environment-dependent text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { ERRORS } from '../src/errors/catalog.js';
import { MESSAGES_ZH_TW } from '../src/errors/catalog.zh-TW.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOG_FILE = path.join(ROOT, 'src/errors/catalog.ts');
export const ERRORS_DOC = path.join(ROOT, 'docs/errors.md');

export interface ErrorGroup {
  title: string;
  codes: string[];
}

/** The groups of the catalogue, in source order: each `// comment` before an entry opens a group. */
export function catalogGroups(source: string, fileName = 'catalog.ts'): ErrorGroup[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  let literal: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (literal) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'ERRORS' && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (ts.isObjectLiteralExpression(init)) literal = init;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!literal) throw new Error(`${fileName}: no \`export const ERRORS = { … }\` object literal found`);

  const groups: ErrorGroup[] = [];
  for (const prop of literal.properties) {
    if (!ts.isPropertyAssignment(prop)) throw new Error(`${fileName}: unexpected member in ERRORS: ${prop.getText(sf)}`);
    const name = prop.name;
    const code = ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
    if (code === undefined) throw new Error(`${fileName}: computed key in ERRORS: ${name.getText(sf)}`);
    const comments = (ts.getLeadingCommentRanges(source, prop.getFullStart()) ?? [])
      .filter((c) => c.kind === ts.SyntaxKind.SingleLineCommentTrivia)
      .map((c) => source.slice(c.pos + 2, c.end).trim())
      .filter((t) => t !== '');
    if (comments.length > 0 || groups.length === 0) {
      groups.push({ title: comments.length ? heading(comments.join(' ')) : 'Errors', codes: [] });
    }
    groups[groups.length - 1]!.codes.push(code);
  }
  return groups;
}

/** "authentication (401) and authorisation (403)" → "Authentication (401) and authorisation (403)". */
function heading(comment: string): string {
  return comment.charAt(0).toUpperCase() + comment.slice(1);
}

/** A table cell: pipes escaped, message templates shown as code. */
function code(text: string): string {
  const escaped = text.replace(/\|/g, '\\|');
  const ticks = escaped.includes('`') ? '`` ' : '`';
  return `${ticks}${escaped}${ticks === '`` ' ? ' ``' : '`'}`;
}

const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-');

/** The whole of docs/errors.md. */
export function generateErrorsDoc(
  catalog: Record<string, { status: number; message: string }> = ERRORS,
  source: string = fs.readFileSync(CATALOG_FILE, 'utf8'),
): string {
  const groups = catalogGroups(source);
  const inSource = groups.flatMap((g) => g.codes);
  const missing = Object.keys(catalog).filter((c) => !inSource.includes(c));
  const unknown = inSource.filter((c) => !(c in catalog));
  if (missing.length || unknown.length) {
    throw new Error(
      `catalogue source and ERRORS disagree: missing from source ${JSON.stringify(missing)}, unknown at runtime ${JSON.stringify(unknown)}`,
    );
  }

  const out: string[] = [];
  out.push('# Error catalogue');
  out.push('');
  out.push('<!-- Generated from src/errors/catalog.ts by `npm run gen:errors`. Do not edit by hand:');
  out.push('     test/docs/errors-doc.test.ts fails when this file is stale. -->');
  out.push('');
  out.push('Every error Latch answers with has a stable code, an HTTP status and a message template.');
  out.push('Codes are append-only; clients and tests match on them. `{name}` placeholders are filled');
  out.push("from the request. Each face renders these in its platform's error envelope (EI/IoT OD,");
  out.push('OAuth 2.0 on the token endpoint, ARM, IoT Central); 5xx messages never reach a client.');
  out.push('');
  out.push('## Languages');
  out.push('');
  out.push("Messages follow the request's `Accept-Language`: English (the default) and Traditional Chinese");
  out.push('(`zh-TW`, from src/errors/catalog.zh-TW.ts, with the same codes and placeholders). `zh-TW`, `zh-Hant…`,');
  out.push('`zh-HK`, `zh-MO` and a bare `zh` answer zh-TW; `zh-CN`, `zh-SG` and `zh-Hans…` match nothing and fall');
  out.push('through to the next range; q-values are honoured (the highest wins, ties go to the first, `q=0`');
  out.push('excludes); anything else answers English. Codes, statuses and the envelopes never change with the');
  out.push('language. Error answers carry `Content-Language` and `Vary: Accept-Language`. Details produced by');
  out.push('schema validation and body rules (`{detail}`) stay English inside the translated frame, and so do');
  out.push('connection errors answered before a request is parsed (REQUEST_MALFORMED, REQUEST_TIMEOUT,');
  out.push('HEADERS_TOO_LARGE).');
  out.push('');
  out.push(`${inSource.length} codes in ${groups.length} groups:`);
  out.push('');
  for (const g of groups) out.push(`- [${g.title}](#${anchor(g.title)}) (${g.codes.length})`);
  for (const g of groups) {
    out.push('');
    out.push(`## ${g.title}`);
    out.push('');
    out.push('| Code | HTTP status | Message template | zh-TW |');
    out.push('| --- | --- | --- | --- |');
    for (const c of g.codes) {
      const e = catalog[c]!;
      const zh = (MESSAGES_ZH_TW as Record<string, string>)[c];
      out.push(`| \`${c}\` | ${e.status} | ${code(e.message)} | ${zh === undefined ? '' : code(zh)} |`);
    }
  }
  out.push('');
  return out.join('\n');
}

function main(argv: string[]): number {
  const text = generateErrorsDoc();
  if (argv.includes('--check')) {
    const current = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${path.relative(process.cwd(), ERRORS_DOC)} is stale: run npm run gen:errors\n`);
      return 1;
    }
    return 0;
  }
  fs.mkdirSync(path.dirname(ERRORS_DOC), { recursive: true });
  fs.writeFileSync(ERRORS_DOC, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), ERRORS_DOC)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
