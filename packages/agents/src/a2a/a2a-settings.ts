import type { AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { SIMULATION_SETTINGS, readKindSettings } from '../http/kind-settings.js';
import { SecretNameSchema, httpUrlSchema } from '../net/remote-settings.js';

const A2aSettingsSchema = z.strictObject({
  url: httpUrlSchema('authSecret'),
  authSecret: SecretNameSchema.optional(),
  skill: z.string().min(1).optional(),
  text: z.string().optional(),
  data: z.unknown().optional(),
  streaming: z.boolean().optional(),
  pollIntervalMs: z.int().min(10).max(60_000).default(1_000),
  ...SIMULATION_SETTINGS,
});

/**
 * The settings of an `a2a` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "url": "https://agents.example.com/research/",
 *   "authSecret": "RESEARCH_TOKEN",
 *   "skill": "market-research",
 *   "text": "Research {{ input.company }} for {{ input.audience }}",
 *   "data": { "company": "{{ input.company }}" }
 * }
 * ```
 *
 * `url` is the agent card's URL when its path ends in `.json`, else the agent's base URL, under which the
 * card is `.well-known/agent-card.json`. The message has a text part from the `text` template and a data
 * part from the `data` template (both over `input`, the task's input); with neither, one data part holding
 * the task's input. `streaming` defaults to what the agent card says; `pollIntervalMs` (10–60,000, default
 * 1,000) is how often a task that is still working is looked at when not streaming.
 */
export interface A2aAgentSettings {
  readonly url: string;
  readonly authSecret?: string;
  readonly skill?: string;
  readonly text?: string;
  readonly data?: unknown;
  readonly streaming?: boolean;
  readonly pollIntervalMs: number;
}

/** Reads and checks the settings; a `DefinitionError` names every field that is wrong. */
export function readA2aSettings(agent: AgentDefinition): A2aAgentSettings {
  const s = readKindSettings(agent, 'a2a', A2aSettingsSchema);
  return {
    url: s.url,
    pollIntervalMs: s.pollIntervalMs,
    ...(s.authSecret === undefined ? {} : { authSecret: s.authSecret }),
    ...(s.skill === undefined ? {} : { skill: s.skill }),
    ...(s.text === undefined ? {} : { text: s.text }),
    ...(s.data === undefined ? {} : { data: s.data }),
    ...(s.streaming === undefined ? {} : { streaming: s.streaming }),
  };
}

/** Where the agent card is: `url` itself when it names a `.json` file, else under `url` as a base. */
export function agentCardUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname.endsWith('.json')) return parsed.href;
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return new URL('.well-known/agent-card.json', parsed).href;
}
