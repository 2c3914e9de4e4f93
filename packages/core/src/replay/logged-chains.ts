import type { ErrorInfo } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';

/** How `chooseAgent` says it passed over the agent it would have dispatched: its breaker was open. */
const PASSED_OVER = /^circuit breaker of (\S+) is open$/;
/** How `chooseAgent` says a task waits because every breaker on its agents is open. */
const ALL_OPEN = /^the circuit breakers of (.+) are open: no agent can take the task now$/;
/** What a fallback's reason begins with on the `agent.selected` of the agent it fell back to. */
const FALLBACK_PREFIX = 'fallback: ';

/** The events that name the agents of a task. */
type ChainEvent = Extract<RunEvent, { type: 'task.recovery' | 'agent.selected' | 'task.started' }>;

/** What the log shows of the agents one agent task could use, in the order of the engine's chain. */
export interface LoggedChain {
  nodeId: string;
  /** Agent versions (`id@version`) in chain order: the node's own agent first, unless it did not resolve. */
  agents: string[];
  /** Why the node's own agent could not be used, when the first activation fell back for that reason. */
  unresolved?: ErrorInfo;
  /** The reason the node's own agent was selected with (a capability lookup, a deprecated pin). */
  reason?: string;
  /** Whether error recovery chose among the task's agents (a fallback or a breaker's wait). */
  recovered: boolean;
}

/**
 * The agent chains of a run's agent tasks as its log shows them: the agents each task started on, was
 * passed over from or fell back to, and waited for, in the order the engine's chain holds them (recovery
 * only ever moves forward along it). Agents the engine passed over without a word (an alternative whose
 * breaker was open when an earlier one failed) never matter to a replay and are not known.
 */
export class LoggedChains {
  readonly #tasks = new Map<string, LoggedChain>();
  /** Per node and own agent, the chains of its tasks merged: what the catalog offered as alternatives. */
  readonly #merged = new Map<string, string[]>();

  constructor(log: readonly RunEvent[]) {
    for (const event of log) {
      if (event.type !== 'task.recovery' && event.type !== 'agent.selected' && event.type !== 'task.started')
        continue;
      let chain = this.#tasks.get(event.taskKey);
      if (!chain) {
        chain = { nodeId: event.nodeId, agents: [], recovered: false };
        this.#tasks.set(event.taskKey, chain);
      }
      read(chain, event);
    }
    for (const chain of this.#tasks.values()) {
      const key = mergeKey(chain.nodeId, chain.unresolved ? undefined : chain.agents[0]);
      this.#merged.set(key, merge(this.#merged.get(key) ?? [], chain.agents));
    }
  }

  /** The chain of a task whose agent error recovery chose, or undefined when recovery never did. */
  recovered(taskKey: string): LoggedChain | undefined {
    const chain = this.#tasks.get(taskKey);
    return chain?.recovered && chain.agents.length > 0 ? chain : undefined;
  }

  /** The alternatives to `primary` (undefined: the node's own agent did not resolve) for a node, best first. */
  alternatives(nodeId: string, primary: string | undefined): string[] {
    return (this.#merged.get(mergeKey(nodeId, primary)) ?? []).filter((ref) => ref !== primary);
  }
}

function read(chain: LoggedChain, event: ChainEvent): void {
  const add = (ref: string | undefined): void => {
    if (ref !== undefined && !chain.agents.includes(ref)) chain.agents.push(ref);
  };
  switch (event.type) {
    case 'task.recovery': {
      if (event.action === 'fallback') {
        const passed = PASSED_OVER.exec(event.reason)?.[1];
        // A first activation falls back without a breaker's word only when the node's own agent did not resolve.
        if (
          event.error === undefined &&
          event.from === undefined &&
          passed === undefined &&
          !chain.agents.length
        )
          chain.unresolved = unresolvedError(event.reason);
        add(event.from);
        add(passed);
        add(event.to);
        chain.recovered = true;
      } else if (event.action === 'wait') {
        const open = ALL_OPEN.exec(event.error?.message ?? event.reason)?.[1];
        for (const ref of open?.split(', ') ?? []) add(ref);
        chain.recovered = true;
      }
      return;
    }
    case 'agent.selected':
      add(event.agent);
      if (
        !chain.unresolved &&
        chain.reason === undefined &&
        chain.agents[0] === event.agent &&
        !event.reason.startsWith(FALLBACK_PREFIX)
      )
        chain.reason = event.reason;
      return;
    case 'task.started':
      add(event.agent);
      return;
  }
}

/** The resolver's error, which the fallback's reason keeps as "CODE: message". */
function unresolvedError(reason: string): ErrorInfo {
  const colon = reason.indexOf(': ');
  return colon < 0
    ? { code: 'NOT_FOUND', message: reason, retryable: false }
    : { code: reason.slice(0, colon), message: reason.slice(colon + 2), retryable: false };
}

function mergeKey(nodeId: string, primary: string | undefined): string {
  return `${nodeId}\n${primary ?? ''}`;
}

/** Merges one task's chain into the node's, keeping the order of both. */
function merge(into: string[], chain: readonly string[]): string[] {
  let cursor = -1;
  for (const ref of chain) {
    const at = into.indexOf(ref);
    if (at >= 0) cursor = at;
    else into.splice(++cursor, 0, ref);
  }
  return into;
}
