import { z } from 'zod';
import { AgentDefinitionSchema } from './agent-schema.js';
import { WorkflowSchema } from './workflow-schema.js';

/** Where the published schemas live, so editors can fetch them by `$id`. */
const SCHEMA_BASE = 'https://baton.dev/schemas';

function publish(schema: z.ZodType, id: string): Record<string, unknown> {
  // `io: 'input'` describes documents as people write them: fields with defaults are optional.
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return { $schema: json.$schema, $id: `${SCHEMA_BASE}/${id}`, ...json };
}

/**
 * The JSON Schema of the workflow format, generated from the zod schemas that also give the TypeScript types.
 * Published as `docs/workflow.schema.json`; the builder, the API and the CLI validate against the same source.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  return publish(WorkflowSchema, 'workflow.schema.json');
}

/** The JSON Schema of an agent definition (FR-019.1), published as `docs/agent.schema.json`. */
export function agentDefinitionJsonSchema(): Record<string, unknown> {
  return publish(AgentDefinitionSchema, 'agent.schema.json');
}
