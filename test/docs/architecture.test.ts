import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (f: string) => fs.readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');
/** SVG text as read: Graphviz writes `-` as `&#45;`, `<` as `&lt;`. */
const unxml = (t: string) =>
  t
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('the architecture diagram', () => {
  const dot = read('docs/architecture.dot');
  const svg = read('docs/architecture.svg');

  it('is shown in the README and in docs/architecture.md', () => {
    expect(read('README.md')).toMatch(/!\[[^\]]+\]\(docs\/architecture\.svg\)/);
    expect(read('docs/architecture.md')).toMatch(/!\[[^\]]+\]\(architecture\.svg\)/);
  });

  it('was rendered from the current source: every line of every label of architecture.dot is text of the SVG', () => {
    const labels = [...dot.matchAll(/label="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThan(20);
    const texts = new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unxml(m[1]!)));
    for (const label of labels) for (const line of label.split('\\n')) expect(texts, line).toContain(line);
  });
});
