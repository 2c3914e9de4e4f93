import fc from 'fast-check';
import { isBatonError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { definition, invocation, schemaProblems, testRuntime } from '../samples.test.fixtures.js';

/** Text that looks like documents: words, modal verbs, numbers, dates, headings, list marks, odd punctuation. */
const documentLike = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'The',
        'vendor',
        'shall',
        'must',
        'may',
        'liability',
        'unlimited',
        'Inc.',
        'due',
        'March 3, 2026',
        '$1,000',
      ),
      fc.constantFrom(
        '\n',
        '\n\n',
        '# ',
        '## ',
        '1. ',
        '3.2 ',
        '- ',
        '| ',
        '. ',
        ', ',
        '(',
        ')',
        '%',
        '@',
        'http://',
        '+',
        '@@ -1 +1 @@',
      ),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(' '));

const anyText = fc.oneof(
  documentLike,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
);

/** How each text agent is called with a text. */
const CASES: [string, (text: string) => Record<string, unknown>][] = [
  ['builtin.rfp-analyzer', (text) => ({ document: text })],
  ['builtin.requirements-extractor', (text) => ({ text })],
  ['builtin.keyword-extractor', (text) => ({ text, maxKeywords: 5 })],
  ['builtin.summarizer', (text) => ({ text, focus: [text.slice(0, 5)] })],
  [
    'builtin.solution-researcher',
    (text) => ({
      text,
      knowledgeBase: [{ id: 'k', name: 'K', description: 'D', keywords: [text.slice(0, 6), 'api'] }],
    }),
  ],
  ['builtin.legal-reviewer', (text) => ({ text, ruleSet: 'contract', requiredClauses: [text.slice(-4)] })],
  [
    'builtin.technical-writer',
    (text) => ({
      title: 'T',
      requirements: [{ id: 'R', text }],
      solutions: [{ id: 'S', name: 'S', description: text }],
    }),
  ],
  [
    'builtin.document-assembler',
    (text) => ({ title: 'T', sections: [{ title: text.slice(0, 10) || 'S', body: text }] }),
  ],
  ['builtin.code-reviewer', (text) => ({ diff: text })],
  ['builtin.security-scanner', (text) => ({ diff: text })],
];

describe('text agents on arbitrary text', () => {
  it.each(CASES)(
    '%s answers within its outputSchema or fails with a Baton input error, never anything else',
    async (id, inputOf) => {
      const agent = definition(id);
      const runtime = testRuntime();
      await fc.assert(
        fc.asyncProperty(anyText, async (text) => {
          try {
            const { output } = await runtime.invoke(invocation(agent, inputOf(text)));
            expect(schemaProblems(agent.outputSchema, output)).toEqual([]);
          } catch (error) {
            expect(isBatonError(error)).toBe(true);
            // An internal error means an implementation threw something it should have prevented.
            expect((error as { details?: Record<string, unknown> }).details?.['internal']).toBeUndefined();
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});
