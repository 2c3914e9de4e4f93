import { describe, expect, it } from 'vitest';
import { RUN_DEADLINE_KEY } from '../execution/budget.js';
import { agent, agentDef, workflowOf } from '../execution/decide-harness.test-helper.js';
import { decide } from '../execution/decide.js';
import type { DecideContext } from '../execution/decision-step.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { RunRecord } from '../execution/records.js';
import { createRunState } from '../execution/restore-run-state.js';
import type { RunEvent } from '../execution/run-event.js';
import type { Workflow } from '../model/workflow-schema.js';
import { inputsOf, recorder, replayOf } from './replay-recorder.test-helper.js';
import { replayRun } from './replay-run.js';

const worker = agentDef('worker');

/**
 * Drives `decide` with nothing but a log, for features the harness's checks do not know yet (rollback).
 */
function drive(workflow: Workflow) {
  let now = Date.UTC(2026, 0, 1);
  const run: RunRecord = {
    id: 'run-1',
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    status: 'queued',
    priority: 50,
    input: {},
    vars: {},
    costUsd: 0,
    createdAt: now,
  };
  const log: RunEvent[] = [
    {
      type: 'run.created',
      runId: run.id,
      seq: 1,
      at: now,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      input: {},
    },
  ];
  const state = createRunState(workflow, run, [], 1);
  const send = (input: EngineInput, after = 1): void => {
    now += after;
    const resolveAgent: DecideContext['resolveAgent'] = () => ({ agent: worker });
    log.push(...decide(state, input, { now, resolveAgent }).delta.events);
  };
  return { run, log, state, send };
}

describe('replayRun: operator acts', () => {
  it('replays acts of an unnamed operator as they were sent, without a name', () => {
    const h = recorder(workflowOf([agent('a')]));
    h.start();
    h.send({ type: 'pause' });
    h.send({ type: 'resume', reason: 'done looking' });
    h.succeed('a');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(result.steps.slice(1, 3).map((s) => s.input)).toEqual([
      { type: 'pause' },
      { type: 'resume', reason: 'done looking' },
    ]);
  });

  it('replays variables set and a task skipped by an operator, and shows them in the context', () => {
    const wf = workflowOf([agent('a', { inputs: { limit: '{{ vars.limit }}' } }), agent('b')], [['b', 'a']], {
      variables: { limit: { default: 1 } },
    });
    const h = recorder(wf);
    h.start();
    h.send({ type: 'pause', by: 'op' });
    h.send({ type: 'vars.set', vars: { limit: 5 }, by: 'op', reason: 'raise it' });
    h.send({ type: 'task.skip', taskKey: 'b', output: { canned: true }, by: 'op' });
    h.send({ type: 'resume', by: 'op' });
    h.succeed('a');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual([
      'start',
      'pause',
      'vars.set',
      'task.skip b',
      'resume',
      'agent.succeeded a',
    ]);
    expect(result.steps[2]?.context.vars).toEqual({ limit: 5 });
    expect(result.steps[0]?.context.vars).toEqual({ limit: 1 });
    expect(result.steps[3]?.context.nodes['b']).toEqual({ output: { canned: true }, status: 'succeeded' });
    expect(h.events.find((e) => e.type === 'task.started' && e.taskKey === 'a')).toMatchObject({
      input: { limit: 5 },
    });
  });

  it('replays a duration limit that rolls the run back, as the deadline timer', () => {
    const wf = workflowOf(
      [agent('book', { compensation: { type: 'agent', agent: { id: 'worker' }, inputs: {} } }), agent('pay')],
      [['book', 'pay']],
      { policies: { priority: 50, onFailure: 'rollback', budget: { maxDurationMs: 1_000 } } },
    );
    const d = drive(wf);
    d.send({ type: 'start' });
    d.send({ type: 'agent.succeeded', taskKey: 'book', attempt: 1, output: {}, costUsd: 0 });
    d.send({ type: 'timer.fired', taskKey: RUN_DEADLINE_KEY }, 2_000);
    expect(d.log.slice(-3)).toMatchObject([
      { type: 'task.cancelled', taskKey: 'pay' },
      {
        type: 'rollback.started',
        reason: expect.stringMatching(/^the run failed: the run has taken/) as unknown,
      },
      { type: 'compensation.started', taskKey: 'book~undo' },
    ]);
    d.send({ type: 'agent.succeeded', taskKey: 'book~undo', attempt: 1, output: {}, costUsd: 0 });
    expect(d.state.run.status).toBe('rolled_back');
    const result = replayRun(wf, d.run, d.log);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      'agent.succeeded book',
      `timer.fired ${RUN_DEADLINE_KEY}`,
      'agent.succeeded book~undo',
    ]);
  });

  it('replays a rollback: the compensation agent is fed its logged result', () => {
    const wf = workflowOf(
      [
        agent('book', {
          compensation: { type: 'agent', agent: { id: 'worker' }, inputs: { undo: '{{ output.id }}' } },
        }),
        agent('pay'),
      ],
      [['book', 'pay']],
      { policies: { priority: 50, onFailure: 'rollback' } },
    );
    const d = drive(wf);
    d.send({ type: 'start' });
    d.send({ type: 'agent.succeeded', taskKey: 'book', attempt: 1, output: { id: 'B-1' }, costUsd: 0.1 });
    d.send({
      type: 'agent.failed',
      taskKey: 'pay',
      attempt: 1,
      error: { code: 'DECLINED', message: 'no', retryable: false },
    });
    d.send({
      type: 'agent.succeeded',
      taskKey: 'book~undo',
      attempt: 1,
      output: { cancelled: 'B-1' },
      costUsd: 0.05,
    });
    expect(d.state.run.status).toBe('rolled_back');
    const result = replayRun(wf, d.run, d.log);
    expect(result.matches).toBe(true);
    expect(inputsOf(result).at(-1)).toBe('agent.succeeded book~undo');
    expect(result.steps.at(-1)?.context.status).toBe('rolled_back');
    expect(result.steps.at(-1)?.context.costUsd).toBeCloseTo(0.15);
  });
});
