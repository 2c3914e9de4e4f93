import { WorkflowSchema, type AgentDefinition } from '@baton/core';
import { readKindSettings, SIMULATION_SETTINGS } from '@baton/agents';
import { z } from 'zod';

const WorkflowAgentSettingsSchema = z.strictObject({
  workflow: z.strictObject({
    id: WorkflowSchema.shape.id,
    version: WorkflowSchema.shape.version.optional(),
  }),
  ...SIMULATION_SETTINGS,
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
  const { id, version } = readKindSettings(
    agent,
    'workflow',
    WorkflowAgentSettingsSchema,
    'write settings: { workflow: { id, version? } } naming a saved workflow',
  ).workflow;
  return { workflow: version === undefined ? { id } : { id, version } };
}
