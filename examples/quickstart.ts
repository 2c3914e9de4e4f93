/**
 * Baton embedded in a program: register an agent written as a TypeScript function, run a workflow that uses
 * it next to a built-in agent, and stream the run's events.
 *
 *   npm install && npx tsx examples/quickstart.ts
 */
import { createBaton } from '@baton/embedded';

const baton = await createBaton({ dataDir: process.env['BATON_DATA_DIR'] ?? '.baton-quickstart' });

baton.registerAgent(
  {
    id: 'example.word-counter',
    name: 'Word counter',
    version: '1.0.0',
    kind: 'function',
    description: 'Counts the words of a text.',
    capabilities: {
      domain: 'operations',
      skills: ['word_count'],
      inputTypes: ['text'],
      outputTypes: ['json'],
    },
    performance: {
      avgLatency: 1,
      successRate: 100,
      throughput: 100_000,
      costPerExecution: 0,
      reliability: 100,
    },
    config: { maxConcurrency: 100, timeout: 1000, retryPolicy: { maxRetries: 0, backoff: 'linear' } },
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    outputSchema: { type: 'object', properties: { words: { type: 'integer' } }, required: ['words'] },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  },
  (input) => ({ words: String(input['text']).split(/\s+/).filter(Boolean).length }),
);

const workflow = baton.parseWorkflow({
  id: 'quickstart',
  name: 'Quickstart',
  version: '1.0.0',
  inputs: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  nodes: [
    {
      id: 'count',
      type: 'agent',
      agent: { id: 'example.word-counter' },
      inputs: { text: '{{ input.text }}' },
    },
    {
      id: 'summary',
      type: 'agent',
      agent: { id: 'builtin.summarizer' },
      inputs: { text: '{{ input.text }}', maxSentences: 1 },
    },
    {
      id: 'report',
      type: 'transform',
      set: { words: 'nodes.count.output.words', gist: 'nodes.summary.output.summary' },
    },
  ],
  edges: [
    { from: 'count', to: 'report' },
    { from: 'summary', to: 'report' },
  ],
  outputs: { report: { value: 'nodes.report.output' } },
});

const run = await baton.startRun(workflow, {
  text: 'Baton runs agents in parallel. It survives crashes. It shows every step live to the people who own it.',
});
const stop = baton.subscribe(run.id, (event) => console.log(`${event.seq}\t${event.type}`));
const done = await baton.waitForRun(run.id);
stop();
console.log(done.status, JSON.stringify(done.output, null, 2));
await baton.close();
