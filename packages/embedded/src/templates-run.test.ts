import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunRecord } from '@baton/core';
import type { Baton } from './create-baton.js';
import { MODES, useDistributedServices } from './testing/distributed-services.js';
import { tempBaton } from './testing/temp-baton.js';

const root = join(import.meta.dirname, '../../..');
const templates = readdirSync(join(root, 'templates'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));

/** Runs a workflow to its end, approving every approval it asks for, as an approver at the keyboard would. */
async function runApproving(
  baton: Baton,
  document: unknown,
  input: Record<string, unknown>,
): Promise<RunRecord> {
  const workflow = baton.parseWorkflow(document);
  const run = await baton.startRun(workflow, input);
  const decisions: Promise<void>[] = [];
  const stop = baton.subscribe(run.id, (event: RunEvent) => {
    if (event.type === 'approval.requested') {
      decisions.push(baton.decide(run.id, event.taskKey, 'approved', 'test-approver', 'looks right'));
    }
  });
  const done = await baton.waitForRun(run.id);
  stop();
  await Promise.all(decisions);
  return done;
}

// Distributed: PostgreSQL, Redis and two worker processes that run the built-in agents.
describe.each(MODES)('the five templates on the built-in agents, %s', (mode) => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  const services = mode === 'distributed' ? useDistributedServices() : undefined;
  beforeAll(async () => {
    if (!services) {
      ({ baton, dispose } = await tempBaton());
      return;
    }
    const settings = await services.fresh();
    await services.workers(settings, 2, join(tmpdir(), `baton-templates-${process.pid}.log`));
    ({ baton, dispose } = await tempBaton(settings));
  }, 60_000);
  afterAll(async () => dispose());

  it('ships five templates', () => {
    expect(templates).toHaveLength(5);
  });

  it.each(templates)('runs %s end to end with its sample input and produces outputs', async (id) => {
    const input = readJson(`examples/inputs/${id}.json`) as Record<string, unknown>;
    const run = await runApproving(baton, readJson(`templates/${id}.json`), input);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('completed');
    expect(Object.keys(run.output ?? {}).length).toBeGreaterThan(0);
    const details = await baton.getRun(run.id);
    expect(details?.metrics.progress.failedTasks).toBe(0);
    expect(details?.tasks.some((t) => t.status === 'succeeded' && t.agent?.startsWith('builtin.'))).toBe(
      true,
    );
  });

  it('answers an RFP with a document that holds its requirements, pricing and legal review', async () => {
    const input = readJson('examples/inputs/rfp-response.json') as Record<string, unknown>;
    const run = await runApproving(baton, readJson('templates/rfp-response.json'), input);
    const text = JSON.stringify(run.output);
    expect(text).toMatch(/REQ-001/);
    expect(text.toLowerCase()).toMatch(/pric/);
    expect(text.toLowerCase()).toMatch(/legal|risk/);
  });
});
