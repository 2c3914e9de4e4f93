import { DefinitionError, WorkflowSchema, type AgentDefinition, type Problem } from '@baton/core';
import { z } from 'zod';

const WorkflowAgentSettingsSchema = z.strictObject({
  workflow: z.strictObject({
    id: WorkflowSchema.shape.id,
    version: WorkflowSchema.shape.version.optional(),
  }),
  // Settings of the simulation, read by the builtin runtime when a definition asks to be simulated.
  simulated: z.unknown().optional(),
  latencyMs: z.unknown().optional(),
});

/**
 * The settings of a `workflow` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": { "workflow": { "id": "enrich-lead", "version": "1.2.0" } }
 * ```
 *
 * `version` names one saved version; without it, each call runs the newest version saved at that moment.
 */
export interface WorkflowAgentSettings {
  readonly workflow: { readonly id: string; readonly version?: string };
}

/**
 * Reads and checks the settings. Throws a `DefinitionError` (never retried) naming every field that is wrong,
 * e.g. `settings.workflow.id: is required`. Called when the agent is registered in code and when it is invoked.
 */
export function readWorkflowAgentSettings(agent: AgentDefinition): WorkflowAgentSettings {
  const result = WorkflowAgentSettingsSchema.safeParse(agent.settings ?? {}, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap(toProblems);
    throw new DefinitionError(
      `agent ${agent.id}@${agent.version} has invalid workflow settings: ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; ') +
        ' (write settings: { workflow: { id, version? } } naming a saved workflow)',
      problems,
    );
  }
  const { id, version } = result.data.workflow;
  return { workflow: version === undefined ? { id } : { id, version } };
}

// The same problem shapes as the settings of the other kinds (packages/agents, kind-settings.ts).
function toProblems(issue: z.core.$ZodIssue): Problem[] {
  const path = ['settings', ...issue.path.map(String)].join('.');
  const problem = (code: string, at: string, message: string): Problem => ({
    code,
    path: at,
    message,
    severity: 'error',
  });
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => problem('UNKNOWN_FIELD', `${path}.${key}`, 'unknown field'));
    case 'invalid_type':
      return [
        issue.input === undefined
          ? problem('MISSING_FIELD', path, 'is required')
          : problem('WRONG_TYPE', path, `must be a ${issue.expected}`),
      ];
    default:
      return [problem('INVALID_VALUE', path, issue.message)];
  }
}
