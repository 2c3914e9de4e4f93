import type { JsonSchema } from '@baton/core';
import type { Schema } from 'ai';
import { z } from 'zod';
import type { AiSdk } from './ai-sdk.js';

const cache = new WeakMap<JsonSchema, Schema<unknown>>();

/**
 * The AI SDK schema of an agent's `outputSchema`: sent to the model as the JSON Schema of the answer, and
 * checked against what comes back, so a mismatch fails the call as "no object generated" with the problems
 * by path. The check uses zod's JSON Schema reader; a schema using keywords it cannot read (`if`/`then`,
 * `dependentRequired`, …) is sent unchecked here, and the engine's own check of every agent output against
 * `outputSchema` still applies. A valid answer is returned exactly as the model gave it.
 */
export function outputObjectSchema({ ai }: AiSdk, schema: JsonSchema): Schema<unknown> {
  const hit = cache.get(schema);
  if (hit !== undefined) return hit;
  let checker: z.ZodType | undefined;
  try {
    checker = z.fromJSONSchema(schema);
  } catch {
    checker = undefined;
  }
  const made = ai.jsonSchema<unknown>(schema, {
    validate: (value) => {
      if (checker === undefined) return { success: true, value };
      const result = checker.safeParse(value);
      if (result.success) return { success: true, value };
      const problems = result.error.issues.map(
        (issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`,
      );
      return { success: false, error: new Error(problems.join('; ')) };
    },
  });
  cache.set(schema, made);
  return made;
}
