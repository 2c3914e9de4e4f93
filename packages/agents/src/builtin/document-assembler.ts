import { builtinAgent } from './builtin-agent.js';
import { countWords, headingAnchor, markdownTable } from './text/markdown.js';

const HEADING = /^(#{1,6})(\s+.*)$/;

/**
 * `builtin.document-assembler`: one Markdown document from titled sections — `# title`, the subtitle in
 * italics, a metadata table, a table of contents linking each section, then each section under `##`.
 * Headings inside a body move down so that its top level is `###` (`##` → `###`, `###` stays), outside code
 * fences; a body that opens with its own section's title does not repeat it.
 */
export const documentAssembler = builtinAgent('builtin.document-assembler', async (input, ctx) => {
  const title = input.string('title', { minLength: 1 }).trim();
  const subtitle = input.optionalString('subtitle')?.trim() ?? '';
  const sections = input
    .objects('sections', { minItems: 1 })
    .map((s) => ({ title: s.string('title').trim(), body: s.string('body') }));
  const metadata = input.optionalObject('metadata')?.entries() ?? [];
  const withToc = input.boolean('includeTableOfContents', true);

  const parts = [`# ${title}`];
  if (subtitle !== '') parts.push(`_${subtitle}_`);
  if (metadata.length > 0) {
    parts.push(
      markdownTable(
        ['', ''],
        metadata.map(([label, value]) => [`**${label}**`, displayValue(value)]),
      ),
    );
  }
  const anchors = new Map<string, number>();
  const tableOfContents = sections.map((s) => s.title);
  if (withToc) {
    const lines = sections.map((s, i) => {
      const base = headingAnchor(s.title);
      const seen = anchors.get(base) ?? 0;
      anchors.set(base, seen + 1);
      return `${i + 1}. [${s.title}](#${seen === 0 ? base : `${base}-${seen}`})`;
    });
    parts.push(`## Contents\n\n${lines.join('\n')}`);
  }
  for (const section of sections) {
    await ctx.step();
    const body = shiftHeadings(dropRepeatedTitle(section.body, section.title)).trim();
    parts.push(body === '' ? `## ${section.title}` : `## ${section.title}\n\n${body}`);
  }
  const document = `${parts.join('\n\n')}\n`;
  return { document, tableOfContents, sectionCount: sections.length, wordCount: countWords(document) };
});

function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function dropRepeatedTitle(body: string, title: string): string {
  const lines = body.replace(/^\s*\n/, '').split('\n');
  const first = HEADING.exec(lines[0]?.trim() ?? '');
  if (first && (first[2] ?? '').trim().toLowerCase() === title.toLowerCase())
    return lines.slice(1).join('\n');
  return body;
}

/** Moves the body's headings down so that its top level is `###`, under the section's `##` (at most `######`). */
function shiftHeadings(body: string): string {
  const lines = body.split('\n');
  const levels = headingLines(lines).map((i) => HEADING.exec(lines[i] ?? '')?.[1]?.length ?? 3);
  const top = levels.reduce((min, level) => Math.min(min, level), 6);
  const shift = levels.length === 0 ? 0 : Math.max(0, 3 - top);
  if (shift === 0) return body;
  for (const i of headingLines(lines)) {
    const heading = HEADING.exec(lines[i] ?? '');
    if (heading)
      lines[i] = `${'#'.repeat(Math.min(6, (heading[1]?.length ?? 1) + shift))}${heading[2] ?? ''}`;
  }
  return lines.join('\n');
}

/** Indexes of the heading lines outside code fences. */
function headingLines(lines: readonly string[]): number[] {
  const found: number[] = [];
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && HEADING.test(line)) found.push(i);
  });
  return found;
}
