import type { DecideContext } from '../execution/decision-step.js';
import type { RunEvent } from '../execution/run-event.js';
import type { EngineRunState } from '../execution/run-state.js';

/**
 * The circuit breakers of a replayed run, as its log shows them. A breaker's answer is asked at the moment the
 * engine chooses an agent, and the choice is the next event the decision logs, so each answer is read from
 * the log event the replay is about to produce: the log's event at index `state.seq` (seq numbers count from
 * 1 without gaps). A `task.recovery` fallback there names the one agent that let the call through (every agent
 * asked before it was passed over), a `wait` says none did; anything else means the activation's own agent let
 * the call through, and that no alternative took a failed attempt.
 *
 * The time a waiting task's breaker reopens is not logged; the next `task.ready` of the task is when its timer
 * fired, which is that time unless the engine was down then — the same for everything a replay can observe.
 */
export function loggedBreakers(
  state: EngineRunState,
  log: readonly RunEvent[],
): Pick<DecideContext, 'admits' | 'reopensAt'> {
  return {
    admits: (agentRef) => {
      const next = log[state.seq];
      if (next === undefined) return true;
      if (next.type === 'task.recovery' && next.action === 'fallback') return agentRef === next.to;
      if (next.type === 'task.recovery' && next.action === 'wait') return false;
      // A failed attempt is still running while recovery looks for an alternative; an activation's task is ready.
      const task =
        'taskKey' in next && next.taskKey !== undefined ? state.byKey.get(next.taskKey) : undefined;
      return task?.row.status !== 'running';
    },
    reopensAt: () => {
      const wait = log[state.seq];
      if (wait?.type !== 'task.recovery' || wait.action !== 'wait') return undefined;
      for (let i = state.seq + 1; i < log.length; i++) {
        const event = log[i] as RunEvent;
        if (event.type === 'task.ready' && event.taskKey === wait.taskKey) return event.at;
      }
      return undefined;
    },
  };
}
