import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentNode, AgentRef, WorkflowNode } from '../model/node-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { AgentCatalog } from './agent-catalog.js';

/** A node of a saved workflow version that would call an agent version. */
export interface AgentUse {
  workflowId: string;
  workflowVersion: string;
  nodeId: string;
  /** How the node names the agent: pinned, as a fallback, as a compensation, or by a capability query. */
  via: 'pinned' | 'fallback' | 'compensation' | 'capability';
}

/** What an agent version needs, and what needs it. */
export interface AgentDependencies {
  agent: string;
  /** Secrets its settings name (`…Secret` settings: API keys, bearer tokens). */
  secrets: string[];
  /** Tools it calls (an MCP tool, tools an LLM may use) and the endpoints it talks to. */
  tools: string[];
  endpoints: string[];
  /** Saved workflows it runs as a `workflow` agent. */
  workflows: string[];
  /** Saved workflow versions whose nodes would call it. */
  usedBy: AgentUse[];
}

/**
 * The dependency map of one agent version: what its settings depend on, and which saved workflow versions would
 * call it — pinned (by exact version, by a range it is the best match of, or by id when it is the newest), as
 * a fallback or compensation, or as the current best match of a capability query.
 */
export function agentDependencies(
  agent: AgentDefinition,
  workflows: readonly Workflow[],
  catalog: AgentCatalog,
): AgentDependencies {
  const ref = `${agent.id}@${agent.version}`;
  const settings = agent.settings ?? {};
  const strings = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((v) => typeof v === 'string')
        : [];
  const secrets = Object.entries(settings).flatMap(([key, value]) =>
    /secret$/i.test(key) ? strings(value) : [],
  );
  const tools = [...strings(settings['tool']), ...strings(settings['tools'])];
  const endpoints = ['url', 'baseURL', 'endpoint'].flatMap((key) => strings(settings[key]));
  const workflowRef = settings['workflow'];
  const named =
    typeof workflowRef === 'string'
      ? [workflowRef]
      : typeof workflowRef === 'object' && workflowRef !== null && 'id' in workflowRef
        ? strings(workflowRef.id)
        : [];
  const usedBy: AgentUse[] = [];
  for (const workflow of workflows) {
    for (const node of allNodes(workflow.nodes)) {
      const via = callsAgent(node, agent, catalog);
      if (via)
        usedBy.push({ workflowId: workflow.id, workflowVersion: workflow.version, nodeId: node.id, via });
    }
  }
  return { agent: ref, secrets, tools, endpoints, workflows: named, usedBy };
}

/**
 * What deprecating (or taking offline) an agent version would touch: the uses of it that are pinned — they keep
 * running a deprecated version with a warning, and fail once it is offline — and the capability queries it
 * currently wins, which move to the next best agent.
 */
export function deprecationImpact(
  agent: AgentDefinition,
  workflows: readonly Workflow[],
  catalog: AgentCatalog,
): { pinned: AgentUse[]; reselected: AgentUse[] } {
  const { usedBy } = agentDependencies(agent, workflows, catalog);
  return {
    pinned: usedBy.filter((u) => u.via !== 'capability'),
    reselected: usedBy.filter((u) => u.via === 'capability'),
  };
}

function callsAgent(
  node: WorkflowNode,
  agent: AgentDefinition,
  catalog: AgentCatalog,
): AgentUse['via'] | undefined {
  const resolvesHere = (ref: AgentRef | undefined): boolean => {
    if (!ref || ref.id !== agent.id) return false;
    return catalog.resolve(ref)?.version === agent.version;
  };
  if (node.type === 'agent') {
    const agentNode: AgentNode = node;
    if (resolvesHere(agentNode.agent)) return 'pinned';
    if ((agentNode.fallbacks ?? []).some(resolvesHere)) return 'fallback';
    if (
      agentNode.select &&
      catalog.candidates(agentNode.select).some((a) => a.id === agent.id && a.version === agent.version)
    )
      return 'capability';
  }
  if (node.compensation?.type === 'agent' && resolvesHere(node.compensation.agent)) return 'compensation';
  return undefined;
}

function* allNodes(nodes: readonly WorkflowNode[]): Generator<WorkflowNode> {
  for (const node of nodes) {
    yield node;
    if (node.type === 'loop') yield* allNodes(node.body.nodes);
    if (node.type === 'parallel') for (const branch of node.branches) yield* allNodes(branch.nodes);
  }
}
