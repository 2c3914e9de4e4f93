import { AgentError, AgentCatalog, AgentDefinitionSchema, type AgentDefinition } from '@baton/core';
import { createBaton, type AgentRegistration } from '@baton/embedded';
import { seededRandom } from '@baton/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../measure.js';
import { agentDefinition, workflow } from './harness.js';

/**
 * US-019.1.2: automatic selection against first-match on a generated registry. 3 skills × 8 agents, each with
 * its own cost per execution and true success rate (some declare better than they do). Every run of a
 * 3-step workflow needs one agent per skill, with a quality floor (min 95 % success). First-match takes the
 * first registered agent that offers the skill and declares the floor, as a plain lookup would; automatic
 * selection asks for the cheapest that meets the floor — judged by measured figures once it has samples.
 */
const SKILLS = ['extract', 'classify', 'summarise'];
const AGENTS_PER_SKILL = 8;
/** Registries generated (seeds 1…REGISTRIES, none picked) and runs per registry and strategy. */
const REGISTRIES = 5;
const RUNS = 200;
const FLOOR = 95;
/** The spec's promise. */
const SAVING_BUDGET = 0.4;

interface Generated {
  registrations: (AgentRegistration & { definition: AgentDefinition })[];
  /** Per skill, the agents in registration order. */
  bySkill: Map<string, string[]>;
}

/** Seeded, so every run of the bench generates the same registry and outcomes. */
function generateRegistry(seed: number): Generated {
  const random = seededRandom(seed);
  const registrations: Generated['registrations'] = [];
  const bySkill = new Map<string, string[]>();
  for (const skill of SKILLS) {
    const ids: string[] = [];
    for (let i = 0; i < AGENTS_PER_SKILL; i++) {
      const id = `gen.${skill}.${String.fromCharCode(97 + i)}`;
      const cost = Math.round((0.002 + random() * 0.05) * 10_000) / 10_000;
      const trueRate = 0.9 + random() * 0.099;
      // A third of the agents declare 99 % whatever they really do: measurement finds them out.
      const declared = random() < 0.33 ? 99 : Math.round(trueRate * 1000) / 10;
      const outcome = seededRandom(seed * 1_000 + registrations.length);
      const base = agentDefinition(id, 1);
      registrations.push({
        definition: AgentDefinitionSchema.parse({
          ...base,
          capabilities: { domain: 'operations', skills: [skill] },
          performance: { ...base.performance, successRate: declared, costPerExecution: cost },
          config: { ...base.config, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
        }),
        handler: () => {
          if (outcome() > trueRate) throw new AgentError(`${id} failed`, { retryable: true });
          return { by: id };
        },
      });
      ids.push(id);
    }
    bySkill.set(skill, ids);
  }
  return { registrations, bySkill };
}

const retry = { maxRetries: 2, backoff: 'fixed', initialDelayMs: 1, jitter: 0 };
const edges = SKILLS.slice(1).map((skill, i) => ({ from: SKILLS[i]!, to: skill }));

async function runStrategy(
  generated: Generated,
  nodes: unknown[],
): Promise<{ cost: number; completed: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-selection-'));
  const baton = await createBaton({ dataDir, agents: generated.registrations });
  try {
    const definition = workflow(`selection-${String(nodes.length)}`, nodes, edges);
    const runs = [];
    // A few at a time, so measured figures build up as the runs go, as they would in production.
    for (let i = 0; i < RUNS; i += 20)
      runs.push(...(await Promise.all(Array.from({ length: 20 }, () => baton.run(definition)))));
    return {
      cost: runs.reduce((sum, r) => sum + r.costUsd, 0),
      completed: runs.filter((r) => r.status === 'completed').length,
    };
  } finally {
    await baton.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Both strategies on one generated registry. */
async function compare(seed: number): Promise<{ saving: number; first: number; auto: number }> {
  const generated = generateRegistry(seed);
  const catalog = new AgentCatalog(generated.registrations.map((r) => r.definition));
  const firstMatch = SKILLS.map((skill) => {
    const first = generated.bySkill
      .get(skill)!
      .map((id) => catalog.resolve({ id })!)
      .find((a) => a.performance.successRate >= FLOOR)!;
    return { id: skill, type: 'agent', agent: { id: first.id }, retry };
  });
  const automatic = SKILLS.map((skill) => ({
    id: skill,
    type: 'agent',
    select: { skills: [skill], strategy: 'cheapest', constraints: { minSuccessRate: FLOOR } },
    retry,
  }));
  const first = await runStrategy(generated, firstMatch);
  const auto = await runStrategy(generated, automatic);
  const saving = 1 - auto.cost / auto.completed / (first.cost / first.completed);
  return { saving, first: first.completed, auto: auto.completed };
}

export async function runSelectionBench(): Promise<BenchResult[]> {
  const results = [];
  for (let seed = 1; seed <= REGISTRIES; seed++) results.push(await compare(seed));
  const saving = results.reduce((sum, r) => sum + r.saving, 0) / results.length;
  const first = results.reduce((sum, r) => sum + r.first, 0);
  const auto = results.reduce((sum, r) => sum + r.auto, 0);
  const name = `automatic selection vs first-match, ${REGISTRIES} generated registries × ${RUNS} runs × ${SKILLS.length} skills, ${AGENTS_PER_SKILL} agents each`;
  return [
    {
      name: `${name}: cost per completed run saved (mean; per registry ${results.map((r) => `${Math.round(r.saving * 100)} %`).join(', ')})`,
      value: Math.round(saving * 1000) / 10,
      unit: '%',
      budget: `≥ ${SAVING_BUDGET * 100} %`,
      met: saving >= SAVING_BUDGET,
    },
    {
      name: `${name}: runs completed, automatic (first-match ${first})`,
      value: auto,
      unit: 'runs',
      budget: '≥ first-match',
      met: auto >= first,
    },
  ];
}
