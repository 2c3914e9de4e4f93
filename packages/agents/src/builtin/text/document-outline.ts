/** One unit of a plain-text or Markdown document: a heading line, or a run of lines that belong together. */
export interface OutlineBlock {
  readonly kind: 'heading' | 'text';
  /** The text with line breaks of hard-wrapped prose joined; a heading without its Markdown marks. */
  readonly text: string;
  /** Heading number as written, e.g. "3.2"; empty for text and unnumbered headings. */
  readonly number: string;
  /** Heading text without the number; empty for text. */
  readonly title: string;
  /** Heading depth (1 for "3." or "#", 2 for "3.2" or "##"); 0 for text. */
  readonly level: number;
  /** The heading of the section the block sits in, as written ("3.1 Functional Requirements"); empty before the first. */
  readonly section: string;
  /** 1-based line where the block starts. */
  readonly line: number;
}

const MARKDOWN_HEADING = /^(#{1,6})\s+(.*)$/;
const NUMBERED_HEADING = /^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$/;
const BOLD_LINE = /^\*\*([^*]+)\*\*:?$/;
const LIST_ITEM = /^(?:[-*•+]\s+|\(?[a-z0-9]{1,3}\)\s+)/i;
const MODAL = /\b(?:must|shall|should|will|may|can)\b/i;
const MAX_HEADING_WORDS = 12;

/**
 * Splits a document into headings and text blocks, using layout rules that fit RFPs, contracts and Markdown:
 * a heading is a Markdown heading, a short numbered line ("3. Scope of Work", "3.2 Security") that does not
 * end like a sentence or state an obligation, a line in bold, or a short line in capitals that is not the
 * document's first line. A line continues the previous text block only when that one does not end like a
 * sentence and this one starts in lower case (a hard-wrapped paragraph); list items and table rows stand alone.
 */
export function outlineDocument(text: string): OutlineBlock[] {
  const blocks: OutlineBlock[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let section = '';
  let open: { text: string; line: number } | undefined;
  let seenContent = false;

  const close = (): void => {
    if (open)
      blocks.push({
        kind: 'text',
        text: open.text,
        number: '',
        title: '',
        level: 0,
        section,
        line: open.line,
      });
    open = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = collapse(lines[i] ?? '');
    if (line === '' || /^[-=_*]{3,}$/.test(line)) {
      close();
      continue;
    }
    const heading = parseHeading(line, !seenContent);
    seenContent = true;
    if (heading) {
      close();
      section = heading.text;
      blocks.push({ kind: 'heading', ...heading, section, line: i + 1 });
      continue;
    }
    const standsAlone = LIST_ITEM.test(line) || line.startsWith('|');
    if (open && !standsAlone && !/[.!?:;]$/.test(open.text) && /^[a-z(]/.test(line)) {
      open.text = `${open.text} ${line}`;
      continue;
    }
    close();
    open = { text: line, line: i + 1 };
  }
  close();
  return blocks;
}

function parseHeading(
  line: string,
  firstLine: boolean,
): { text: string; number: string; title: string; level: number } | undefined {
  const markdown = MARKDOWN_HEADING.exec(line);
  if (markdown) {
    // A closing run of hashes ("## Scope ##") is decoration.
    const inner = stripMarks((markdown[2] ?? '').replace(/\s+#+$/, ''));
    const numbered = NUMBERED_HEADING.exec(inner);
    const number = numbered?.[1] ?? '';
    return {
      text: inner,
      number,
      title: number ? (numbered?.[2] ?? inner) : inner,
      level: markdown[1]?.length ?? 1,
    };
  }
  const bold = BOLD_LINE.exec(line);
  if (bold) {
    const inner = collapse(bold[1] ?? '');
    return isShortTitle(inner) ? { text: inner, number: '', title: inner, level: 2 } : undefined;
  }
  const numbered = NUMBERED_HEADING.exec(line);
  if (numbered) {
    const title = numbered[2] ?? '';
    if (!/^[A-Z]/.test(title) || !isShortTitle(title)) return undefined;
    const number = numbered[1] ?? '';
    return { text: line, number, title, level: number.split('.').length };
  }
  // The first line in capitals is the document's banner ("REQUEST FOR PROPOSAL"), not a section.
  if (!firstLine && isCapitalsLine(line) && isShortTitle(line))
    return { text: line, number: '', title: line, level: 1 };
  return undefined;
}

function isShortTitle(title: string): boolean {
  return (
    title.split(' ').length <= MAX_HEADING_WORDS &&
    !/[.;,!?]$/.test(title) &&
    !MODAL.test(title) &&
    !/\s[–—-]\s|:\s/.test(title)
  );
}

function isCapitalsLine(line: string): boolean {
  const letters = line.replace(/[^\p{L}]/gu, '');
  if (letters.length < 3) return false;
  const upper = line.replace(/[^\p{Lu}]/gu, '').length;
  return upper / letters.length >= 0.9;
}

function stripMarks(text: string): string {
  return collapse(text.replace(/[*_`]+/g, ''));
}

/** Collapses runs of white space to one space and trims. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
