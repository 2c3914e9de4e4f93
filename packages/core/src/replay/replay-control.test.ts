import { describe, expect, it } from 'vitest';
import { agent, workflowOf } from '../execution/decide-harness.test-helper.js';
import { RUN_DEADLINE_KEY } from '../execution/budget.js';
import { STEP_THROUGH_LABEL } from '../execution/step-through.js';
import { inputsOf, recorder, replayOf } from './replay-recorder.test-helper.js';
import { replayRun } from './replay-run.js';

const chain = (policies: Record<string, unknown> = {}) =>
  workflowOf([agent('a'), agent('b')], [['a', 'b']], { policies: { priority: 50, ...policies } });

describe('replayRun: step-through and duration limits', () => {
  it('replays a run stepped through task by task, with its mode from the run record', () => {
    const h = recorder(chain(), { labels: { [STEP_THROUGH_LABEL]: 'on' } });
    h.start();
    h.advance(1_000).send({ type: 'step', by: 'ann' });
    h.advance(5).succeed('a');
    // A restart finds b held, and holds it again.
    h.restart();
    h.advance(5).send({ type: 'recover' });
    h.advance(1_000).send({ type: 'step' });
    h.advance(5).succeed('b');
    expect(h.events.filter((e) => e.type === 'task.held')).toHaveLength(3);
    expect(h.run.status).toBe('completed');
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      'step',
      'agent.succeeded a',
      'recover',
      'step',
      'agent.succeeded b',
    ]);
    expect(result.steps[1]?.input).toEqual({ type: 'step', by: 'ann' });
    // Without the label, the run the record describes would not have held its tasks.
    const unlabelled = replayRun(h.workflow, { ...h.run, labels: {} }, h.events);
    expect(unlabelled.divergence).toMatchObject({ expected: { type: 'task.held' }, step: 0 });
  });

  it("replays the run's duration limit pausing it, as the deadline timer", () => {
    const wf = chain({ budget: { maxDurationMs: 60_000, onExceeded: 'pause' } });
    const h = recorder(wf);
    h.start();
    h.advance(60_000).send({ type: 'timer.fired', taskKey: RUN_DEADLINE_KEY });
    expect(h.events.at(-1)).toMatchObject({ type: 'run.paused', by: 'budget' });
    h.advance(5).succeed('a');
    h.advance(5).send({ type: 'resume', by: 'op' });
    h.advance(5).succeed('b');
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      `timer.fired ${RUN_DEADLINE_KEY}`,
      'agent.succeeded a',
      'resume',
      'agent.succeeded b',
    ]);
    expect(result.steps[1]?.context.status).toBe('paused');
  });

  it("replays the run's duration limit failing it, open tasks cancelled first", () => {
    const wf = chain({ budget: { maxDurationMs: 60_000 } });
    const h = recorder(wf);
    h.start();
    h.advance(90_000).send({ type: 'timer.fired', taskKey: RUN_DEADLINE_KEY });
    const last = h.events.slice(-2);
    expect(last).toMatchObject([
      { type: 'task.cancelled', taskKey: 'a' },
      { type: 'run.failed', error: { code: 'BUDGET_EXCEEDED', details: { limit: 'maxDurationMs' } } },
    ]);
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual(['start', `timer.fired ${RUN_DEADLINE_KEY}`]);
    // The same log against a workflow without the limit (an org's cap the replay was not told of).
    const uncapped = replayRun({ ...wf, policies: { ...wf.policies, budget: undefined } }, h.run, h.events);
    expect(uncapped.divergence).toMatchObject({ seq: last[0]?.seq });
    expect(uncapped.divergence?.message).toMatch(/neither the workflow nor the org's limits/);
    expect(
      replayRun({ ...wf, policies: { ...wf.policies, budget: undefined } }, h.run, h.events, {
        orgLimits: { maxDurationMs: 60_000 },
      }),
    ).toMatchObject({ matches: true });
  });
});
