import type { DecideContext } from '../execution/decision-step.js';
import type { RunEvent } from '../execution/run-event.js';
import { backoffDelay, resolveRetryPolicy } from '../execution/retry-backoff.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { WorkflowNode } from '../model/node-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import { LoggedChains, type LoggedChain } from './logged-chains.js';

/** The events that say which agent a task's activation resolved to, or that it resolved to none. */
type Resolution = Extract<
  RunEvent,
  {
    type:
      | 'agent.selected'
      | 'task.started'
      | 'task.failed'
      | 'task.retrying'
      | 'compensation.started'
      | 'compensation.failed';
  }
>;

/** What the log shows of one agent version's own retry policy (used when no node or workflow policy applies). */
interface ObservedRetries {
  maxRetries: number;
  samples: { node: WorkflowNode; seed: string; attempt: number; delayMs: number }[];
}

/**
 * The agents of a replayed run, as its log recorded them. Resolution follows the log, not the catalog: an
 * activation gets the agent (and the selection reason) of the next `task.started` of its task, so a replay
 * picks what the run picked even after the catalog changed, and never needs the agent to be runnable. The
 * definition is the catalog's when it still has that `id@version`; otherwise a stand-in whose retry policy is
 * inferred from the retries the log shows, because the log does not record the agent's policy. A task whose
 * agent error recovery chose (a fallback, a breaker's wait) resolves to the node's own agent instead, with the
 * agents the log shows for its node as alternatives, so that recovery walks the chain the run walked.
 */
export class LoggedAgents {
  readonly #log: readonly RunEvent[];
  readonly #known: ReadonlyMap<string, AgentDefinition>;
  readonly #byTask = new Map<string, number[]>();
  readonly #retries = new Map<string, ObservedRetries>();
  readonly #made = new Map<string, AgentDefinition>();
  readonly #stamp: string;
  readonly #chains: LoggedChains;

  constructor(
    workflow: Workflow,
    log: readonly RunEvent[],
    node: (id: string) => WorkflowNode | undefined,
    known: Iterable<AgentDefinition>,
  ) {
    this.#log = log;
    this.#known = new Map([...known].map((a) => [`${a.id}@${a.version}`, a]));
    this.#stamp = new Date(log[0]?.at ?? 0).toISOString();
    this.#chains = new LoggedChains(log);
    const lastAgent = new Map<string, string>();
    log.forEach((event, position) => {
      if (!isResolution(event)) return;
      const positions = this.#byTask.get(event.taskKey) ?? [];
      positions.push(position);
      this.#byTask.set(event.taskKey, positions);
      if (event.type === 'task.started' && event.agent !== undefined)
        lastAgent.set(event.taskKey, event.agent);
      if (event.type !== 'task.retrying') return;
      const agent = lastAgent.get(event.taskKey);
      const own = node(event.nodeId);
      // Only retries that no node or workflow policy governed tell anything about the agent's policy.
      if (agent === undefined || own?.type !== 'agent' || (own.retry ?? workflow.policies.retry)) return;
      const seen = this.#retries.get(agent) ?? { maxRetries: 0, samples: [] };
      seen.maxRetries = Math.max(seen.maxRetries, event.attempt);
      const seed = `${event.runId}:${event.taskKey}:${event.attempt}`;
      seen.samples.push({ node: own, seed, attempt: event.attempt, delayMs: event.delayMs });
      this.#retries.set(agent, seen);
    });
  }

  /** The agent lookups of the decision that reproduces the log from `position` on. */
  contextAt(position: number): Pick<DecideContext, 'resolveAgent' | 'alternatives'> {
    return {
      resolveAgent: this.#resolverAt(position),
      alternatives: (node, primary) =>
        this.#chains
          .alternatives(node.id, primary && `${primary.id}@${primary.version}`)
          .map((ref) => this.definition(ref)),
    };
  }

  /** A `resolveAgent` for the decision that reproduces the log from `position` on. */
  #resolverAt(position: number): DecideContext['resolveAgent'] {
    return (_node, taskKey) => {
      const chain = this.#chains.recovered(taskKey);
      if (chain) return this.#ownAgent(chain);
      let reason: string | undefined;
      for (const at of this.#byTask.get(taskKey) ?? []) {
        if (at < position) continue;
        const event = this.#log[at] as Resolution;
        switch (event.type) {
          case 'agent.selected':
            reason = event.reason;
            break;
          case 'task.started':
          case 'compensation.started':
            if (event.agent === undefined) break;
            return reason === undefined
              ? { agent: this.definition(event.agent) }
              : { agent: this.definition(event.agent), reason };
          case 'task.failed':
          case 'task.retrying':
          case 'compensation.failed':
            // The activation failed before a dispatch (no agent, or inputs that did not evaluate).
            return { error: event.error };
        }
      }
      const seq = this.#log[position]?.seq ?? this.#log.length + 1;
      return {
        error: {
          code: 'NOT_FOUND',
          message: `the log records no agent for task "${taskKey}" from seq ${seq} on`,
          retryable: false,
        },
      };
    };
  }

  /** What the node of a recovered task resolved to: its own agent (first in its chain), or why none. */
  #ownAgent(chain: LoggedChain): ReturnType<DecideContext['resolveAgent']> {
    if (chain.unresolved) return { error: chain.unresolved };
    const agent = this.definition(chain.agents[0]!);
    return chain.reason === undefined ? { agent } : { agent, reason: chain.reason };
  }

  /** The definition of `id@version`: the catalog's, else a stand-in made from what the log shows. */
  definition(ref: string): AgentDefinition {
    const known = this.#known.get(ref) ?? this.#made.get(ref);
    if (known) return known;
    const made = this.#standIn(ref);
    this.#made.set(ref, made);
    return made;
  }

  #standIn(ref: string): AgentDefinition {
    const at = ref.lastIndexOf('@');
    const id = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? ref.slice(at + 1) : '0.0.0';
    const seen = this.#retries.get(ref);
    const agent: AgentDefinition = {
      id,
      name: id,
      version,
      description: "rebuilt from a run's event log for replay",
      kind: 'builtin',
      capabilities: { domain: 'operations', skills: ['replay'], inputTypes: [], outputTypes: [] },
      performance: { avgLatency: 0, successRate: 0, throughput: 0, costPerExecution: 0, reliability: 0 },
      config: {
        maxConcurrency: 1,
        timeout: 1,
        retryPolicy: { maxRetries: seen?.maxRetries ?? 0, backoff: 'exponential' },
        requiredInputs: [],
        optionalInputs: [],
      },
      status: 'active',
      createdAt: this.#stamp,
      updatedAt: this.#stamp,
    };
    // Exponential and linear wait the same after a first attempt; a later retry's delay tells them apart.
    const linear = seen?.samples.some((s) => s.attempt > 1 && delayOf(agent, 'exponential', s) !== s.delayMs);
    if (linear) agent.config.retryPolicy.backoff = 'linear';
    return agent;
  }
}

function isResolution(event: RunEvent): event is Resolution {
  return (
    event.type === 'agent.selected' ||
    event.type === 'task.started' ||
    event.type === 'task.failed' ||
    event.type === 'task.retrying' ||
    event.type === 'compensation.started' ||
    event.type === 'compensation.failed'
  );
}

/** The back-off the engine would have chosen for a sampled retry under the agent's policy with `backoff`. */
function delayOf(
  agent: AgentDefinition,
  backoff: 'exponential' | 'linear',
  sample: ObservedRetries['samples'][number],
): number | undefined {
  const probe: AgentDefinition = {
    ...agent,
    config: { ...agent.config, retryPolicy: { ...agent.config.retryPolicy, backoff } },
  };
  const policy = resolveRetryPolicy(sample.node, undefined, probe);
  return policy && backoffDelay(policy, sample.attempt, sample.seed);
}
