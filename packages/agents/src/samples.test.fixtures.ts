import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import {
  evaluateExpression,
  parseAgentDefinition,
  resolveTemplates,
  type AgentDefinition,
  type AgentInvocation,
  type AgentRuntime,
  type JsonSchema,
} from '@baton/core';
import { ManualClock } from '@baton/testing';
import { BuiltinAgentRuntime } from './builtin/builtin-agent-runtime.js';

/**
 * Test fixtures: the repository's built-in agent definitions, workflow templates and sample inputs, and a
 * small driver that walks a template the way the engine would, so every built-in agent is exercised with
 * the inputs the templates really give it. Tests only: packages never read the repository at run time.
 */

const root = new URL('../../../', import.meta.url);
const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

let loaded: Map<string, AgentDefinition> | undefined;

/** Every definition in the package's `definitions/`, by id. */
export function builtinDefinitions(): Map<string, AgentDefinition> {
  if (loaded) return loaded;
  const dir = new URL('packages/agents/definitions/', root);
  const definitions = new Map<string, AgentDefinition>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const definition = parseAgentDefinition(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
    definitions.set(definition.id, definition);
  }
  loaded = definitions;
  return definitions;
}

/** One definition of `definitions/`. */
export function definition(id: string): AgentDefinition {
  const found = builtinDefinitions().get(id);
  if (!found) throw new Error(`no definition ${id} in packages/agents/definitions`);
  return found;
}

/** The problems of `data` against a JSON Schema, as `path message` strings; empty when valid. */
export function schemaProblems(schema: JsonSchema | undefined, data: unknown): string[] {
  if (!schema) return [];
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
}

/** A workflow template of `templates/` as plain JSON. */
export function template(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`templates/${id}.json`, root), 'utf8')) as Record<string, unknown>;
}

/** The sample input of a template, with the template's input defaults filled in. */
export function sampleInput(id: string): Record<string, unknown> {
  const input = JSON.parse(readFileSync(new URL(`examples/inputs/${id}.json`, root), 'utf8')) as Record<
    string,
    unknown
  >;
  const withDefaults = new Ajv2020({ strict: false, useDefaults: true }).compile(
    template(id)['inputs'] as object,
  );
  if (!withDefaults(input)) throw new Error(`sample input of ${id} does not fit its template`);
  return input;
}

/** An invocation of `agent` with `input`; `signal` defaults to one that never aborts. */
export function invocation(
  agent: AgentDefinition,
  input: Record<string, unknown>,
  overrides: Partial<Pick<AgentInvocation, 'signal' | 'attempt' | 'runId' | 'taskKey'>> = {},
): AgentInvocation {
  const runId = overrides.runId ?? 'run-1';
  const taskKey = overrides.taskKey ?? 'task';
  const attempt = overrides.attempt ?? 1;
  return {
    agent,
    input,
    runId,
    taskKey,
    attempt,
    idempotencyKey: `${runId}:${taskKey}:${attempt}`,
    signal: overrides.signal ?? new AbortController().signal,
    checkpoint: undefined,
    saveCheckpoint: () => undefined,
    progress: () => undefined,
  };
}

/** The clock of `testRuntime`: 2026-01-01T00:00:00Z, moved only by hand. */
export const TEST_START = Date.UTC(2026, 0, 1);

/** A builtin runtime on a manual clock whose simulated agents do not wait. */
export function testRuntime(): BuiltinAgentRuntime {
  return new BuiltinAgentRuntime({ clock: new ManualClock(TEST_START), simulateLatency: false });
}

/**
 * Runs the built-in agent `id` (its definition from `templates/agents/`) on `input` and returns the output,
 * after checking it against the definition's `outputSchema`.
 */
export async function runAgent(
  id: string,
  input: Record<string, unknown>,
  runtime = testRuntime(),
): Promise<Record<string, unknown>> {
  const agent = definition(id);
  const { output } = await runtime.invoke(invocation(agent, input));
  const problems = schemaProblems(agent.outputSchema, output);
  if (problems.length > 0) throw new Error(`${id} output breaks its outputSchema: ${problems.join('; ')}`);
  return output as Record<string, unknown>;
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** What one agent node of a sample run got and gave. */
export interface SampleCall {
  node: string;
  agent: AgentDefinition;
  input: Record<string, unknown>;
  output: unknown;
}

interface RawNode {
  id: string;
  type: string;
  agent?: { id: string };
  inputs?: Record<string, unknown>;
  set?: Record<string, string>;
  assign?: Record<string, string>;
  forEach?: string;
  output?: string;
  branches?: { nodes: RawNode[] }[];
  body?: { nodes: RawNode[] };
}

/**
 * Runs every agent node of a template over its sample input, in edge order, taking every branch of every
 * conditional and approval (so all agents run) and the every item of each loop. Inputs are resolved with
 * the core template resolver; transforms and `assign`s are evaluated with the core expression language.
 */
export async function runSample(templateId: string, runtime: AgentRuntime): Promise<SampleCall[]> {
  const doc = template(templateId);
  const definitions = builtinDefinitions();
  const input = sampleInput(templateId);
  const vars: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(
    (doc['variables'] ?? {}) as Record<string, { default?: unknown }>,
  )) {
    vars[name] = variable.default;
  }
  const nodes: Record<string, { output: unknown }> = {};
  const calls: SampleCall[] = [];
  const edges = doc['edges'] as { from: string; to: string }[];
  const all = doc['nodes'] as RawNode[];
  const done = new Set<string>();

  const visit = async (node: RawNode, loop: Record<string, unknown>): Promise<void> => {
    const scope = { input, vars, nodes, loop };
    let output: unknown;
    if (node.type === 'agent' && node.agent) {
      const agent = definitions.get(node.agent.id);
      if (!agent) throw new Error(`${node.id}: unknown agent ${node.agent.id}`);
      const resolved = resolveTemplates(node.inputs ?? {}, scope) as Record<string, unknown>;
      output = (await runtime.invoke(invocation(agent, resolved, { taskKey: node.id }))).output;
      calls.push({ node: node.id, agent, input: resolved, output });
    } else if (node.type === 'transform') {
      output = Object.fromEntries(
        Object.entries(node.set ?? {}).map(([k, e]) => [k, evaluateExpression(e, scope)]),
      );
    } else if (node.type === 'parallel') {
      for (const branch of node.branches ?? []) for (const inner of branch.nodes) await visit(inner, loop);
    } else if (node.type === 'loop') {
      const items = evaluateExpression(node.forEach ?? '[]', scope) as unknown[];
      const results: unknown[] = [];
      for (const [index, item] of items.entries()) {
        for (const inner of node.body?.nodes ?? []) await visit(inner, { item, index });
        results.push(
          node.output === undefined
            ? undefined
            : evaluateExpression(node.output, { ...scope, loop: { item, index } }),
        );
      }
      output = results;
    }
    nodes[node.id] = { output };
    for (const [name, expression] of Object.entries(node.assign ?? {})) {
      vars[name] = evaluateExpression(expression, { ...scope, output });
    }
  };

  while (done.size < all.length) {
    const ready = all.find(
      (n) => !done.has(n.id) && edges.filter((e) => e.to === n.id).every((e) => done.has(e.from)),
    );
    if (!ready) throw new Error(`${templateId}: no node is ready; the edges have a cycle`);
    await visit(ready, {});
    done.add(ready.id);
  }
  return calls;
}
