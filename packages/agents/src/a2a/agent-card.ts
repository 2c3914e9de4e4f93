import {
  DefinitionError,
  parseAgentDefinition,
  type AgentDefinition,
  type Domain,
  type Problem,
} from '@baton/core';
import { z } from 'zod';

/** The fields of an A2A agent card (v1.0 or v0.3) an import reads; everything else on the card is ignored. */
const AgentCardSchema = z.object({
  name: z.string().trim().min(1),
  description: z.string().optional(),
  version: z.string().optional(),
  defaultInputModes: z.array(z.string().min(1)).optional(),
  defaultOutputModes: z.array(z.string().min(1)).optional(),
  skills: z
    .array(
      z.object({
        id: z.string().min(1),
        inputModes: z.array(z.string().min(1)).optional(),
        outputModes: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
});

/**
 * The declared performance and config of an imported agent. A card says nothing about latency, reliability or
 * cost, so these are conservative guesses — slow, free, 90 % reliable — that selection replaces with measured
 * figures once the agent has run 20 times. Edit the definition when you know better.
 */
export const A2A_IMPORT_DEFAULTS = {
  performance: { avgLatency: 30_000, successRate: 90, throughput: 60, costPerExecution: 0, reliability: 90 },
  config: { maxConcurrency: 4, timeout: 300_000, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
} as const;

/** How an agent card becomes a definition. */
export interface AgentCardMapping {
  /** Where the card was read: the definition's `settings.url`. */
  readonly cardUrl: string;
  /** The agent id; by default a slug of the card's name. */
  readonly id?: string | undefined;
  /** The secret sent as `Authorization: Bearer …` (`settings.authSecret`). */
  readonly authSecret?: string | undefined;
  /** The agent's domain; a card has none. Default `operations`. */
  readonly domain?: Domain | undefined;
  /** ISO time for `createdAt` and `updatedAt`. */
  readonly now: string;
}

const SKILL_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * A slug in Baton's id format: lower case, runs of other characters turned into `separator`, never starting
 * with a digit. `Market Research!` → `market-research`. Empty when nothing usable is left.
 */
export function slugId(text: string, separator: '-' | '_' = '-'): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), '')
    .slice(0, 100);
  return /^[0-9]/.test(slug) ? `_${slug}` : slug;
}

/**
 * The Baton definition of the A2A agent an agent card describes: kind `a2a`, settings pointing at the card,
 * skills and input/output types from the card, and `A2A_IMPORT_DEFAULTS` for what a card cannot say. Pure.
 * Throws a `DefinitionError` naming the card's fields that are wrong (`card.name: …`), or the definition's
 * when the result is not a valid definition (an `id` given in the wrong format).
 */
export function agentCardToDefinition(card: unknown, mapping: AgentCardMapping): AgentDefinition {
  const parsed = AgentCardSchema.safeParse(card);
  if (!parsed.success) {
    const problems: Problem[] = parsed.error.issues.map((issue) => ({
      code: 'INVALID_VALUE',
      path: ['card', ...issue.path.map(String)].join('.'),
      message: issue.message,
      severity: 'error',
    }));
    const detail = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new DefinitionError(`${mapping.cardUrl} is not a valid A2A agent card: ${detail}`, problems);
  }
  const c = parsed.data;
  const id = mapping.id ?? slugId(c.name);
  // A skill id already in Baton's format is kept as it is, so that it still names the card's skill.
  const skillId = (raw: string): string => (SKILL_ID.test(raw) ? raw : slugId(raw, '_'));
  const skills = unique((c.skills ?? []).map((s) => skillId(s.id)).filter((s) => s !== ''));
  const modes = (key: 'inputModes' | 'outputModes', defaults: readonly string[] | undefined): string[] =>
    unique([...(defaults ?? []), ...(c.skills ?? []).flatMap((s) => s[key] ?? [])]);
  return parseAgentDefinition({
    id,
    name: c.name,
    version: c.version !== undefined && SEMVER.test(c.version) ? c.version : '1.0.0',
    description: c.description ?? '',
    kind: 'a2a',
    capabilities: {
      domain: mapping.domain ?? 'operations',
      // A card without skills still offers something: the agent itself, under its own name.
      skills: skills.length > 0 ? skills : [slugId(c.name, '_') || 'a2a'],
      inputTypes: modes('inputModes', c.defaultInputModes),
      outputTypes: modes('outputModes', c.defaultOutputModes),
    },
    performance: { ...A2A_IMPORT_DEFAULTS.performance },
    config: {
      ...A2A_IMPORT_DEFAULTS.config,
      retryPolicy: { ...A2A_IMPORT_DEFAULTS.config.retryPolicy },
    },
    settings: {
      url: mapping.cardUrl,
      ...(mapping.authSecret === undefined ? {} : { authSecret: mapping.authSecret }),
    },
    createdAt: mapping.now,
    updatedAt: mapping.now,
  });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
