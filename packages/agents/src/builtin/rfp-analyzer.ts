import { builtinAgent } from './builtin-agent.js';
import { collapse, outlineDocument } from './text/document-outline.js';
import { findDates } from './text/dates.js';
import { countWords } from './text/markdown.js';

const TITLE_LINE = /^(?:rfp\s+)?title\s*[:\-–]\s*(.+)$/i;
const ISSUER_LINE =
  /^(?:issued\s+by|issuer|issuing\s+(?:organi[sz]ation|agency|authority|entity)|buyer|purchaser)\s*[:\-–]?\s*(.+)$/i;
const REFERENCE_LINE =
  /^(?:rfp|rfq|rfi|itb|tender|solicitation|bid)?\s*(?:reference|ref\.?|number|no\.?|#|id)(?:\s+(?:number|no\.?))?\s*[:\-–]\s*([A-Za-z0-9][\w./-]*)/i;
const REFERENCE_IN_TEXT =
  /\b(?:RFP|RFQ|RFI|ITB|RFT|TENDER)[-_ #/]?(?:No\.?\s*)?(\d[\w/-]*|[A-Z0-9]*\d[\w/-]*)/;
const DUE_WORDS =
  /\b(?:due|deadline|submit(?:ted)?\s+(?:by|before|no later than)|no later than|closing date|closes)\b/gi;
/** How far after a due word the date may appear. */
const DUE_WINDOW = 120;

/**
 * `builtin.rfp-analyzer`: reads the plain text of an RFP with layout and wording rules. The title is the
 * value of a "Title:" line, else the first non-empty line; the issuer is the value of an "Issued by:" /
 * "Issuer:" line; the reference is an "RFP Number:" / "Reference:" value or the first "RFP-…" token; the due
 * date is the first date within a short distance after "due", "deadline", "submit by" and the like; sections
 * start at headings ("3. Scope of Work", "3.2 Security", Markdown or capitals headings).
 */
export const rfpAnalyzer = builtinAgent('builtin.rfp-analyzer', async (input, ctx) => {
  const document = input.string('document', { minLength: 1 });
  const lines = document
    .split(/\r\n|\r|\n/)
    .map(collapse)
    .filter((line) => line !== '');
  await ctx.step();

  const title = firstValue(lines, TITLE_LINE) ?? stripMarkdown(lines[0] ?? '');
  const issuer = trimValue(firstValue(lines, ISSUER_LINE) ?? '');
  const referenceNumber = firstValue(lines, REFERENCE_LINE) ?? REFERENCE_IN_TEXT.exec(document)?.[0] ?? '';
  const dueDate = findDueDate(document);

  const sections: { number: string; heading: string; text: string; wordCount: number }[] = [];
  let current: { number: string; heading: string; parts: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const text = current.parts.join('\n');
    sections.push({ number: current.number, heading: current.heading, text, wordCount: countWords(text) });
  };
  for (const block of outlineDocument(document)) {
    await ctx.step();
    if (block.kind === 'heading') {
      flush();
      current = { number: block.number, heading: block.title, parts: [] };
    } else {
      current?.parts.push(block.text);
    }
  }
  flush();

  return {
    title: trimValue(title),
    issuer,
    referenceNumber: trimValue(referenceNumber),
    dueDate,
    sections,
    sectionCount: sections.length,
    wordCount: countWords(document),
  };
});

function firstValue(lines: readonly string[], pattern: RegExp): string | undefined {
  for (const line of lines) {
    const value = pattern.exec(stripMarkdown(line))?.[1];
    if (value !== undefined && value.trim() !== '') return value;
  }
  return undefined;
}

function findDueDate(text: string): string {
  for (const word of text.matchAll(DUE_WORDS)) {
    const after = word.index + word[0].length;
    const window = text.slice(after, after + DUE_WINDOW);
    const date = findDates(window).find((d) => d.iso !== '');
    // A date beyond the end of the sentence belongs to something else.
    if (date && !/[.!?]\s/.test(window.slice(0, date.index))) return date.iso;
  }
  return '';
}

function stripMarkdown(line: string): string {
  return line
    .replace(/^#{1,6}\s+/, '')
    .replace(/[*_`]+/g, '')
    .trim();
}

function trimValue(value: string): string {
  return value.replace(/[\s.;,]+$/, '').trim();
}
