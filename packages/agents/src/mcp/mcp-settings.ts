import { AgentError, resolveTemplates, type AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { SIMULATION_SETTINGS, readKindSettings } from '../http/kind-settings.js';
import { SecretNameSchema, headersSchema, httpUrlSchema, keyedRecord } from '../net/remote-settings.js';

/**
 * Variables a definition may not set for a stdio server: they would change which program runs (`PATH`
 * decides what `npx` is) or load code into an allow-listed one.
 */
const DENIED_ENV = /^(PATH|NODE_OPTIONS|LD_.*|DYLD_.*)$/i;

const HTTP_ONLY = ['url', 'headers', 'authSecret'] as const;
const STDIO_ONLY = ['command', 'args', 'env'] as const;

const McpSettingsSchema = z
  .strictObject({
    transport: z.enum(['streamable-http', 'stdio']).default('streamable-http'),
    url: httpUrlSchema('authSecret').optional(),
    headers: headersSchema(['mcp-session-id', 'mcp-protocol-version', 'last-event-id']).optional(),
    authSecret: SecretNameSchema.optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).max(100).optional(),
    env: keyedRecord((name) =>
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
        ? 'must be an environment variable name'
        : DENIED_ENV.test(name)
          ? 'may not be set by a definition: it would change which program runs'
          : undefined,
    ).optional(),
    tool: z.string().min(1),
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    ...SIMULATION_SETTINGS,
  })
  .superRefine((settings, ctx) => {
    const stdio = settings.transport === 'stdio';
    const needed = stdio ? 'command' : 'url';
    if (settings[needed] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [needed],
        message: `is required for the ${settings.transport} transport`,
      });
    }
    for (const field of stdio ? HTTP_ONLY : STDIO_ONLY) {
      if (settings[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `applies to the ${stdio ? 'streamable-http' : 'stdio'} transport only`,
        });
      }
    }
  });

/** Where an `mcp` agent's server is: a URL, or a program the runtime starts. */
export type McpServerSettings =
  | {
      readonly transport: 'streamable-http';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly authSecret?: string;
    }
  | {
      readonly transport: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
    };

/**
 * The settings of an `mcp` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "transport": "streamable-http",
 *   "url": "https://tools.example.com/mcp",
 *   "authSecret": "TOOLS_TOKEN",
 *   "tool": "search",
 *   "arguments": { "query": "{{ input.question }}", "limit": 5 }
 * }
 * ```
 *
 * `arguments` is a template over `input` (the task's input): an object whose strings may hold `{{ }}`, or one
 * `{{ }}` giving an object. Without it the task's input is the tool's arguments.
 */
export interface McpAgentSettings {
  readonly server: McpServerSettings;
  readonly tool: string;
  readonly arguments?: Readonly<Record<string, unknown>> | string;
}

/** Reads and checks the settings; a `DefinitionError` names every field that is wrong. */
export function readMcpSettings(agent: AgentDefinition): McpAgentSettings {
  const s = readKindSettings(agent, 'mcp', McpSettingsSchema);
  const server: McpServerSettings =
    s.transport === 'stdio'
      ? { transport: 'stdio', command: s.command ?? '', args: s.args ?? [], env: s.env ?? {} }
      : {
          transport: 'streamable-http',
          url: s.url ?? '',
          headers: s.headers ?? {},
          ...(s.authSecret === undefined ? {} : { authSecret: s.authSecret }),
        };
  return { server, tool: s.tool, ...(s.arguments === undefined ? {} : { arguments: s.arguments }) };
}

/** The tool's arguments: the `arguments` template resolved over the input, or the input itself. */
export function toolArguments(
  settings: McpAgentSettings,
  input: Readonly<Record<string, unknown>>,
  callee: string,
): Record<string, unknown> {
  if (settings.arguments === undefined) return { ...input };
  let resolved: unknown;
  try {
    resolved = resolveTemplates(settings.arguments, { input });
  } catch (error) {
    throw new AgentError(`${callee}: settings.arguments: ${(error as Error).message}`, {
      retryable: false,
      cause: error,
    });
  }
  if (typeof resolved !== 'object' || resolved === null || Array.isArray(resolved)) {
    const kind = resolved === null ? 'null' : Array.isArray(resolved) ? 'an array' : `a ${typeof resolved}`;
    throw new AgentError(`${callee}: settings.arguments must give an object, not ${kind}`, {
      retryable: false,
    });
  }
  return resolved as Record<string, unknown>;
}
