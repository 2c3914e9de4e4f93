import type { AgentDefinition } from '@baton/core';
import { agentCardUrl, readA2aSettings } from '../a2a/a2a-settings.js';
import { readHttpSettings } from '../http/http-settings.js';
import { readLlmSettings } from '../llm/llm-settings.js';
import { disconnect, listTools, mcpServer } from '../mcp/mcp-connection.js';
import { readMcpSettings } from '../mcp/mcp-settings.js';
import { isSimulatedDefinition } from '../simulated/simulated-config.js';
import { batonCause, guardedFetch } from './guarded-fetch.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from './remote-access.js';

/**
 * What a probe found: `up` (it answered, in `latencyMs`), `down` (no answer, or a 5xx; `error` says why),
 * `local` (the agent runs in Baton's processes: nothing to reach), `not-probed` (remote, but no cheap probe
 * exists for it: a stdio MCP server, a model API other than an OpenAI-compatible one).
 */
export interface ProbeResult {
  /** `id@version`. */
  agent: string;
  status: 'up' | 'down' | 'local' | 'not-probed';
  latencyMs?: number;
  error?: string;
}

/** Options of `probeAgent`: the operator's reach, as the runtimes take it, and how long to wait. */
export interface ProbeOptions extends RemoteAgentRuntimeOptions {
  /** A probe with no answer by then is `down`. Default 5,000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Milliseconds for latency; `performance.now` by default. */
  now?: () => number;
}

/** A probe's check: resolves when the agent answered, rejects with why it is down. */
type Check = (access: RemoteAccess, signal: AbortSignal) => Promise<void>;

/**
 * Whether a remote agent answers, and how fast: `http` — a HEAD of its endpoint (any answer below 500 is
 * reachable: the endpoint may only take POST); `a2a` — its agent card; `mcp` over HTTP — connects and lists
 * the tools; `llm` (OpenAI-compatible) — `GET <baseURL>/models`. Every request passes the egress guard, so a
 * refused destination is `down` with the guard's reason; secrets named in the settings are sent when set.
 * Never rejects: invalid settings are `down` too. Sends no task to the agent.
 */
export async function probeAgent(agent: AgentDefinition, options: ProbeOptions = {}): Promise<ProbeResult> {
  const ref = `${agent.id}@${agent.version}`;
  const check = isSimulatedDefinition(agent) ? 'local' : checkOf(agent);
  if (check === 'local' || check === 'not-probed') return { agent: ref, status: check };
  const now = options.now ?? (() => performance.now());
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const started = now();
  try {
    await check(new RemoteAccess(options), signal);
    return { agent: ref, status: 'up', latencyMs: Math.round(now() - started) };
  } catch (error) {
    const why = timeout.aborted
      ? `no answer within ${options.timeoutMs ?? 5_000} ms`
      : (batonCause(error)?.message ?? (error instanceof Error ? error.message : String(error)));
    return { agent: ref, status: 'down', error: why };
  }
}

function checkOf(agent: AgentDefinition): Check | 'local' | 'not-probed' {
  switch (agent.kind) {
    case 'builtin':
    case 'function':
    case 'script':
    case 'workflow':
      return 'local';
    case 'http': {
      const { endpoint, auth } = readHttpSettings(agent);
      return async (access, signal) => {
        const headers = auth && (await header(access, auth.header, auth.secret, auth.scheme));
        await answers(access, endpoint, 'HEAD', signal, headers);
      };
    }
    case 'a2a': {
      const { url, authSecret } = readA2aSettings(agent);
      return async (access, signal) => {
        const headers =
          authSecret === undefined ? undefined : await header(access, AUTH, authSecret, 'Bearer');
        await answers(access, agentCardUrl(url), 'GET', signal, headers, true);
      };
    }
    case 'llm': {
      const { provider, baseURL, apiKeySecret } = readLlmSettings(agent);
      if (provider !== 'openai-compatible' || baseURL === undefined) return 'not-probed';
      const models = `${baseURL.replace(/\/+$/, '')}/models`;
      return async (access, signal) => {
        const headers =
          apiKeySecret === undefined ? undefined : await header(access, AUTH, apiKeySecret, 'Bearer');
        await answers(access, models, 'GET', signal, headers);
      };
    }
    case 'mcp': {
      const { server } = readMcpSettings(agent);
      if (server.transport === 'stdio') return 'not-probed';
      return async (access, signal) => {
        const sdk = await import('../mcp/mcp-sdk.js');
        const reach = { sdk, access, stdioCommands: new Set<string>(), connectTimeoutMs: 5_000 };
        const { open } = await mcpServer({ ...reach, maxResponseBytes: undefined }, server, agent.id, signal);
        const connection = await open();
        try {
          await listTools(connection.client);
        } finally {
          await disconnect(connection).catch(() => undefined);
        }
      };
    }
  }
}

const AUTH = 'authorization';

/** `{ [name]: '<scheme> <secret>' }`, or undefined when the secret is not set: the probe goes without it. */
async function header(
  access: RemoteAccess,
  name: string,
  secret: string,
  scheme: string,
): Promise<Record<string, string> | undefined> {
  const value = await access.secrets.get(secret);
  return value === undefined ? undefined : { [name]: `${scheme} ${value}`.trim() };
}

/** Resolves when `url` answers below 500 (below 300 with `ok`), rejects with why not. */
async function answers(
  access: RemoteAccess,
  url: string,
  method: 'GET' | 'HEAD',
  signal: AbortSignal,
  headers: Record<string, string> | undefined,
  ok = false,
): Promise<void> {
  const fetch = guardedFetch({ guard: access.guard, maxResponseBytes: 64 * 1024 });
  const response = await fetch(url, { method, signal, ...(headers ? { headers } : {}) });
  // Read (capped) rather than cancelled: cancelling a body mid-stream trips Node's web-stream adapter.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 500 || (ok && !response.ok)) {
    throw new Error(`${new URL(url).origin} answered ${response.status}`);
  }
}
