import type { AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { SIMULATION_SETTINGS, readKindSettings } from '../http/kind-settings.js';

/** Defaults and bounds of the script limits. */
export const SCRIPT_LIMITS = {
  defaultMemoryLimitMb: 32,
  maxMemoryLimitMb: 512,
  defaultTimeLimitMs: 1_000,
  maxTimeLimitMs: 60_000,
  maxSourceChars: 1_000_000,
} as const;

const ScriptSettingsSchema = z.strictObject({
  source: z
    .string()
    .min(1, 'must hold the script: an ES module with `export default function run(input, context) { … }`')
    .max(SCRIPT_LIMITS.maxSourceChars, `must be at most ${SCRIPT_LIMITS.maxSourceChars} characters`),
  memoryLimitMb: z
    .int()
    .min(1)
    .max(SCRIPT_LIMITS.maxMemoryLimitMb)
    .default(SCRIPT_LIMITS.defaultMemoryLimitMb),
  timeLimitMs: z.int().min(1).max(SCRIPT_LIMITS.maxTimeLimitMs).default(SCRIPT_LIMITS.defaultTimeLimitMs),
  ...SIMULATION_SETTINGS,
});

/**
 * The settings of a `script` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "source": "export default function run(input, context) { return { total: input.items.length }; }",
 *   "memoryLimitMb": 32,
 *   "timeLimitMs": 1000
 * }
 * ```
 *
 * `memoryLimitMb` (1–512, default 32) caps the sandbox heap; `timeLimitMs` (1–60,000, default 1,000) caps
 * how long the script may compute. Both are per attempt.
 */
export interface ScriptAgentSettings {
  readonly source: string;
  readonly memoryLimitMb: number;
  readonly timeLimitMs: number;
}

/** Reads and checks the settings; a `DefinitionError` names every field that is wrong. */
export function readScriptSettings(agent: AgentDefinition): ScriptAgentSettings {
  const { source, memoryLimitMb, timeLimitMs } = readKindSettings(agent, 'script', ScriptSettingsSchema);
  return { source, memoryLimitMb, timeLimitMs };
}
