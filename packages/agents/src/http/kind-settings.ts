import { DefinitionError, type AgentDefinition, type Problem } from '@baton/core';
import { z } from 'zod';

/**
 * The settings of the simulation, which every kind accepts: the builtin runtime reads them when a definition
 * asks to be simulated. Spread into a kind's schema.
 */
export const SIMULATION_SETTINGS = {
  simulated: z.unknown().optional(),
  latencyMs: z.unknown().optional(),
};

/**
 * Reads the `settings` of a definition with the schema of its kind. Runtimes call it at invoke time: the
 * core schema keeps `settings` open (one field for every kind), so only the runtime knows the shape.
 * Throws a `DefinitionError` (never retried) naming every problem with its path, e.g. `settings.endpoint`.
 */
export function readKindSettings<T>(
  agent: AgentDefinition,
  kind: string,
  schema: z.ZodType<T>,
  /** What to write instead, appended to the message. */
  hint?: string,
): T {
  const result = schema.safeParse(agent.settings ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap(toProblems);
  throw new DefinitionError(
    `agent ${agent.id}@${agent.version} has invalid ${kind} settings: ` +
      problems.map((p) => `${p.path}: ${p.message}`).join('; ') +
      (hint === undefined ? '' : ` (${hint})`),
    problems,
  );
}

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
          : problem(
              'WRONG_TYPE',
              path,
              `must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`,
            ),
      ];
    default:
      return [problem('INVALID_VALUE', path, issue.message)];
  }
}
