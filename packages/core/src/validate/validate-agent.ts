import { DefinitionError, type Problem } from '../errors/errors.js';
import { type AgentDefinition, AgentDefinitionSchema } from '../model/agent-schema.js';
import { sortByDocumentPosition } from './json-path.js';
import { jsonSchemaProblems } from './json-schema-checks.js';
import { listOf, problemCount, warning } from './problem.js';
import { schemaProblems, unknownFieldProblems } from './schema-problems.js';

/** Every problem of an agent definition, and the definition (defaults applied) when the schema allowed it. */
export interface AgentValidationResult {
  ok: boolean;
  problems: Problem[];
  agent?: AgentDefinition;
}

function inputListProblems(agent: AgentDefinition): Problem[] {
  const problems: Problem[] = [];
  const { requiredInputs, optionalInputs } = agent.config;
  optionalInputs.forEach((name, i) => {
    if (!requiredInputs.includes(name)) return;
    problems.push(
      warning(
        'INPUT_LISTED_TWICE',
        `config.optionalInputs[${i}]`,
        `input "${name}" is both required and optional: remove it from optionalInputs`,
      ),
    );
  });
  const properties = agent.inputSchema?.['properties'];
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return problems;
  const declared = Object.keys(properties);
  requiredInputs.forEach((name, i) => {
    if (declared.includes(name)) return;
    problems.push(
      warning(
        'REQUIRED_INPUT_NOT_IN_SCHEMA',
        `config.requiredInputs[${i}]`,
        `required input "${name}" is not among the properties of inputSchema (${declared.length > 0 ? listOf(declared) : 'none'}): add it to inputSchema.properties`,
      ),
    );
  });
  return problems;
}

/** Validates an agent definition (the spec's `AgentDefinition`): structure, embedded JSON Schemas, input lists. */
export function validateAgentDefinition(document: unknown): AgentValidationResult {
  const problems = unknownFieldProblems(AgentDefinitionSchema, document);
  const parsed = AgentDefinitionSchema.safeParse(document);
  if (parsed.success) {
    const agent = parsed.data;
    problems.push(
      ...(agent.inputSchema ? jsonSchemaProblems(agent.inputSchema, 'inputSchema') : []),
      ...(agent.outputSchema ? jsonSchemaProblems(agent.outputSchema, 'outputSchema') : []),
      ...inputListProblems(agent),
    );
  } else {
    problems.push(...schemaProblems(parsed.error.issues, document));
  }
  const sorted = sortByDocumentPosition(document, problems);
  const ok = sorted.every((p) => p.severity !== 'error');
  return parsed.success ? { ok, problems: sorted, agent: parsed.data } : { ok, problems: sorted };
}

/** The agent definition a document describes; throws `DefinitionError` carrying every problem when any is an error. */
export function parseAgentDefinition(document: unknown): AgentDefinition {
  const result = validateAgentDefinition(document);
  if (result.ok && result.agent) return result.agent;
  const id = (document as { id?: unknown } | null)?.id;
  const name = typeof id === 'string' ? `agent "${id}"` : 'agent definition';
  throw new DefinitionError(`${name} is invalid: ${problemCount(result.problems)}`, result.problems);
}
