import type { Command } from 'commander';
import { agentDefinitionJsonSchema, workflowJsonSchema } from '@baton/core';
import { ExitCode, UsageError, type CliIo } from '../io.js';

/** `baton schema workflow|agent`: prints the published JSON Schema of a document kind. */
export function registerSchema(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('Print the JSON Schema of workflow or agent definition documents.')
    .argument('<kind>', 'workflow | agent')
    .action((kind: string) => {
      const schemas: Record<string, () => Record<string, unknown>> = {
        workflow: workflowJsonSchema,
        agent: agentDefinitionJsonSchema,
      };
      const make = schemas[kind];
      if (!make) throw new UsageError(`unknown schema "${kind}": choose workflow or agent`);
      io.stdout(`${JSON.stringify(make(), null, 2)}\n`);
      setExit(ExitCode.ok);
    });
}
