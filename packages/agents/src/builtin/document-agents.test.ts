import { describe, expect, it } from 'vitest';
import { runAgent, sampleInput } from '../samples.test.fixtures.js';

const rfpText = sampleInput('rfp-response')['rfpText'] as string;
const knowledgeBase = sampleInput('rfp-response')['knowledgeBase'] as Record<string, unknown>[];

interface Requirement {
  id: string;
  text: string;
  priority: string;
  keyword: string;
  category: string;
  section: string;
}

describe('builtin.rfp-analyzer', () => {
  it('reads title, issuer, reference and due date of the sample RFP', async () => {
    const out = await runAgent('builtin.rfp-analyzer', { document: rfpText });
    expect(out).toMatchObject({
      title: 'Cloud Document Management System',
      issuer: 'City of Riverton, Department of Information Technology',
      referenceNumber: 'RFP-2026-014',
      dueDate: '2026-03-13',
    });
  });

  it('opens a section at every numbered heading, in document order', async () => {
    const out = await runAgent('builtin.rfp-analyzer', { document: rfpText });
    const sections = out['sections'] as {
      number: string;
      heading: string;
      text: string;
      wordCount: number;
    }[];
    expect(sections.map((s) => `${s.number} ${s.heading}`)).toEqual([
      '1 Introduction',
      '2 Background',
      '3 Scope of Work',
      '3.1 Functional Requirements',
      '3.2 Security and Compliance',
      '3.3 Integration and Migration',
      '3.4 Training and Support',
      '4 Pricing',
      '5 Contract Terms',
      '6 Evaluation Criteria',
      '7 Submission Instructions',
    ]);
    expect(out['sectionCount']).toBe(11);
    expect(sections[4]?.text).toContain('All data must be encrypted in transit and at rest.');
    expect(sections[4]?.wordCount).toBeGreaterThan(50);
  });

  it('falls back to the first line as title and leaves absent facts empty', async () => {
    const out = await runAgent('builtin.rfp-analyzer', {
      document: '# Fleet Telematics Tender\n\nWe need trackers.',
    });
    expect(out).toMatchObject({
      title: 'Fleet Telematics Tender',
      issuer: '',
      referenceNumber: '',
      dueDate: '',
    });
  });

  it('takes the date that follows a deadline word, not an earlier one', async () => {
    const document = 'Issued: 1 March 2026.\nQuestions until 10 March 2026.\nSubmit by 03/31/2026 at noon.';
    const out = await runAgent('builtin.rfp-analyzer', { document });
    expect(out['dueDate']).toBe('2026-03-31');
  });
});

describe('builtin.requirements-extractor', () => {
  it('finds the obligations of the sample RFP with priorities from their modal verbs', async () => {
    const out = await runAgent('builtin.requirements-extractor', { text: rfpText });
    const requirements = out['requirements'] as Requirement[];
    expect(requirements.length).toBeGreaterThanOrEqual(20);
    const find = (fragment: string): Requirement | undefined =>
      requirements.find((r) => r.text.includes(fragment));
    expect(find('full-text search')).toMatchObject({
      priority: 'high',
      keyword: 'must',
      section: '3.1 Functional Requirements',
    });
    expect(find('retention schedules automatically')).toMatchObject({ priority: 'high', keyword: 'shall' });
    expect(find('define their own metadata')).toMatchObject({ priority: 'medium', keyword: 'should' });
    expect(find('optical character recognition')).toMatchObject({ priority: 'low', keyword: 'may' });
    expect(find('encrypted in transit')).toMatchObject({ category: 'security' });
    expect(find('REST API')).toMatchObject({ category: 'integration' });
  });

  it('numbers requirements in document order with the given prefix and counts them by priority', async () => {
    const out = await runAgent('builtin.requirements-extractor', { text: rfpText, idPrefix: 'R' });
    const requirements = out['requirements'] as Requirement[];
    expect(requirements.slice(0, 3).map((r) => r.id)).toEqual(['R-001', 'R-002', 'R-003']);
    const byPriority = out['byPriority'] as Record<string, number>;
    expect(out['count']).toBe(requirements.length);
    expect(byPriority['high']! + byPriority['medium']! + byPriority['low']!).toBe(requirements.length);
    expect(byPriority['high']).toBeGreaterThanOrEqual(5);
  });

  it('never takes a heading for a requirement and leaves section empty before the first heading', async () => {
    const out = await runAgent('builtin.requirements-extractor', {
      text: 'The supplier must sign the NDA.\n\n1. Required Documents\nA bid bond is required.',
    });
    const requirements = out['requirements'] as Requirement[];
    expect(requirements.map((r) => [r.text, r.section])).toEqual([
      ['The supplier must sign the NDA.', ''],
      ['A bid bond is required.', '1. Required Documents'],
    ]);
  });

  it('lowers the priority in an optional section and for optional sentences', async () => {
    const out = await runAgent('builtin.requirements-extractor', {
      text: '## Optional Features\nThe portal must export to CSV.\n\n## Core\nThe portal should, where possible, support SSO.',
    });
    expect((out['requirements'] as Requirement[]).map((r) => r.priority)).toEqual(['medium', 'low']);
  });

  it('joins hard-wrapped lines into one sentence', async () => {
    const out = await runAgent('builtin.requirements-extractor', {
      text: 'The contractor shall deliver monthly reports\nto the program office within five days.',
    });
    expect((out['requirements'] as Requirement[])[0]?.text).toBe(
      'The contractor shall deliver monthly reports to the program office within five days.',
    );
  });
});

describe('builtin.summarizer', () => {
  it('keeps the chosen sentences in their original order', async () => {
    const out = await runAgent('builtin.summarizer', {
      text: rfpText,
      maxSentences: 4,
      focus: ['replace', 'cut'],
    });
    const sentences = out['sentences'] as string[];
    expect(sentences).toHaveLength(4);
    const positions = sentences.map((s) => rfpText.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out['summary']).toBe(sentences.join(' '));
  });

  it('prefers sentences holding the focus terms', async () => {
    const out = await runAgent('builtin.summarizer', { text: rfpText, maxSentences: 2, focus: ['cut'] });
    expect((out['sentences'] as string[]).some((s) => s.includes('cut that in half'))).toBe(true);
  });

  it('reports the source sentence count and a compression ratio between 0 and 1', async () => {
    const out = await runAgent('builtin.summarizer', { text: rfpText });
    expect(out['sourceSentenceCount']).toBeGreaterThan(30);
    expect(out['compressionRatio']).toBeGreaterThan(0);
    expect(out['compressionRatio']).toBeLessThan(0.3);
  });

  it('returns a short text whole', async () => {
    const out = await runAgent('builtin.summarizer', { text: 'Only one sentence here.' });
    expect(out).toMatchObject({
      summary: 'Only one sentence here.',
      sourceSentenceCount: 1,
      compressionRatio: 1,
    });
  });
});

describe('builtin.keyword-extractor', () => {
  const notes = sampleInput('sales-deal')['notes'] as string;

  it('ranks the repeated topics of the call notes first, scored relative to the top one', async () => {
    const out = await runAgent('builtin.keyword-extractor', { text: notes, maxKeywords: 6 });
    const keywords = out['keywords'] as { term: string; count: number; score: number }[];
    expect(keywords).toHaveLength(6);
    expect(keywords[0]?.score).toBe(1);
    expect(out['terms']).toEqual(keywords.map((k) => k.term));
    expect(keywords.slice(0, 4).map((k) => k.term)).toEqual(
      expect.arrayContaining(['intake', 'referral', 'audit']),
    );
    expect(keywords.map((k) => k.term)).not.toContain('marcus ellery');
  });

  it('names people, money, e-mail addresses, phone numbers, dates and organizations', async () => {
    const out = await runAgent('builtin.keyword-extractor', { text: rfpText });
    const entities = out['entities'] as { text: string; type: string; count: number }[];
    const of = (type: string): string[] => entities.filter((e) => e.type === type).map((e) => e.text);
    expect(of('organization')).toContain('City of Riverton');
    expect(of('person')).toContain('Dana Whitfield');
    expect(of('email')).toContain('procurement@riverton.example.gov');
    expect(of('phone')).toContain('(555) 201-7740');
    expect(of('money')).toContain('$2,000,000');
    expect(of('percentage')).toContain('40%');
    expect(of('date')).toEqual(expect.arrayContaining(['February 2, 2026', 'March 13, 2026']));
    expect(entities.find((e) => e.text === 'procurement@riverton.example.gov')?.count).toBe(2);
  });

  it('ignores the extra stop words it is given', async () => {
    const out = await runAgent('builtin.keyword-extractor', { text: notes, stopWords: ['intake', 'Clinic'] });
    expect(out['terms']).not.toContain('intake');
    expect(out['terms']).not.toContain('clinic');
  });
});

describe('builtin.solution-researcher', () => {
  it('matches the knowledge base by keywords, best first, and lists entries below minScore', async () => {
    const out = await runAgent('builtin.solution-researcher', {
      text: rfpText,
      knowledgeBase,
      minScore: 0.35,
    });
    const solutions = out['solutions'] as { id: string; score: number; matchedKeywords: string[] }[];
    expect(solutions[0]?.id).toBe('kb-docs');
    expect(solutions.map((s) => s.score)).toEqual([...solutions.map((s) => s.score)].sort((a, b) => b - a));
    expect(solutions.find((s) => s.id === 'kb-identity')?.matchedKeywords).toEqual(
      expect.arrayContaining(['single sign-on', 'saml', 'entra id']),
    );
    expect(out['unmatched']).toEqual(['kb-capture']);
    expect(out['count']).toBe(solutions.length);
  });

  it('finds keywords across hyphens, plurals and punctuation such as 24/7', async () => {
    const out = await runAgent('builtin.solution-researcher', {
      text: 'We need 24/7 support, single sign on and nightly backup.',
      knowledgeBase: [
        { id: 'a', name: 'A', description: 'A.', keywords: ['24/7', 'single sign-on', 'backups'] },
      ],
      minScore: 0,
    });
    expect((out['solutions'] as { matchedKeywords: string[] }[])[0]?.matchedKeywords).toEqual([
      '24/7',
      'single sign-on',
    ]);
  });

  it('caps the result at maxResults', async () => {
    const out = await runAgent('builtin.solution-researcher', {
      text: rfpText,
      knowledgeBase,
      maxResults: 2,
      minScore: 0,
    });
    expect(out['count']).toBe(2);
  });
});

describe('builtin.technical-writer', () => {
  const requirements = [
    { id: 'REQ-001', text: 'All data must be encrypted in transit and at rest.', priority: 'high' },
    { id: 'REQ-002', text: 'The vendor must provide training for administrators.', priority: 'high' },
    { id: 'REQ-003', text: 'Late proposals will not be considered.', priority: 'medium' },
  ];
  const solutions = [
    {
      id: 'sec',
      name: 'Security Pack',
      description: 'Encryption at rest and in transit.',
      matchedKeywords: ['encrypted'],
    },
    { id: 'cs', name: 'Customer Success', description: 'Training on site and online for administrators.' },
  ];

  it('maps each requirement to the solution that shares the most with it', async () => {
    const out = await runAgent('builtin.technical-writer', {
      title: 'Technical Approach',
      requirements,
      solutions,
    });
    expect(out['matrix']).toEqual([
      { requirementId: 'REQ-001', solutionId: 'sec', status: 'addressed' },
      { requirementId: 'REQ-002', solutionId: 'cs', status: 'partial' },
      { requirementId: 'REQ-003', solutionId: '', status: 'gap' },
    ]);
    expect(out['coverage']).toBe(0.667);
  });

  it('writes a section that starts with a level-2 heading and lists the open points', async () => {
    const out = await runAgent('builtin.technical-writer', {
      title: 'Technical Approach',
      requirements,
      solutions,
    });
    const markdown = out['markdown'] as string;
    expect(markdown.startsWith('## Technical Approach\n')).toBe(true);
    expect(markdown).toContain(
      '**Security Pack.** Encryption at rest and in transit. It answers 1 requirement: REQ-001.',
    );
    expect(markdown).toContain('| REQ-003 | medium | Late proposals will not be considered. | — | gap |');
    expect(markdown).toContain('### Open points');
    expect(out['wordCount']).toBeGreaterThan(40);
  });

  it('uses the given introduction and copes with no requirements', async () => {
    const out = await runAgent('builtin.technical-writer', {
      title: 'T',
      requirements: [],
      solutions,
      introduction: 'Hello.',
    });
    expect(out['markdown']).toContain('\n\nHello.\n\n');
    expect(out).toMatchObject({ matrix: [], coverage: 0 });
  });
});

describe('builtin.document-assembler', () => {
  const sections = [
    { title: 'Summary', body: 'We can help.' },
    {
      title: 'Technical Approach',
      body: '## Technical Approach\n\nIntro.\n\n### Matrix\n\n```\n## not a heading\n```',
    },
  ];

  it('builds title, subtitle, metadata, contents and sections in order', async () => {
    const out = await runAgent('builtin.document-assembler', {
      title: 'Response',
      subtitle: 'By us',
      metadata: { Reference: 'RFP-1', Pages: 2 },
      sections,
    });
    const document = out['document'] as string;
    expect(
      document.startsWith(
        '# Response\n\n_By us_\n\n|  |  |\n| --- | --- |\n| **Reference** | RFP-1 |\n| **Pages** | 2 |',
      ),
    ).toBe(true);
    expect(document).toContain(
      '## Contents\n\n1. [Summary](#summary)\n2. [Technical Approach](#technical-approach)',
    );
    expect(document.indexOf('## Summary')).toBeLessThan(document.indexOf('## Technical Approach\n\nIntro.'));
    expect(out).toMatchObject({ tableOfContents: ['Summary', 'Technical Approach'], sectionCount: 2 });
  });

  it('drops a body heading that repeats its section title and moves the others under the section', async () => {
    const out = await runAgent('builtin.document-assembler', {
      title: 'Doc',
      sections,
      includeTableOfContents: false,
    });
    const document = out['document'] as string;
    expect(document.match(/## Technical Approach/g)).toHaveLength(1);
    expect(document).toContain('\n### Matrix\n');
    expect(document).toContain('```\n## not a heading\n```');
    expect(document).not.toContain('## Contents');
  });
});
