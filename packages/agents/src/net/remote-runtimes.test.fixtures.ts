import type { AgentDefinition, AgentRuntime } from '@baton/core';
import { afterEach } from 'vitest';
import { definition } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import type { RemoteAgentRuntimeOptions } from './remote-access.js';

/**
 * Test fixtures shared by the suites of the remote kinds (`http`, `llm`, `mcp`, `a2a`), which all call a test
 * server on loopback.
 */

/**
 * What a runtime needs to call the test server at `url`: its host allow-listed, since loopback is refused by
 * default, and a secret store that holds only `env` (`{ BATON_SECRET_TOKEN: 't0ken' }`), never this
 * process's.
 */
export function testServerAccess(
  url: string,
  env: Readonly<Record<string, string>> = {},
): Required<Pick<RemoteAgentRuntimeOptions, 'allow' | 'secrets'>> {
  return { allow: [new URL(url).host], secrets: new EnvSecretStore(env) };
}

/**
 * A factory of runtimes for one suite (call it inside `describe`): each is made with `defaults()` (read when
 * the runtime is made, so they may name a server started in `beforeAll`) under the options a test gives, and
 * closed after the test, so that no client or connection outlives it.
 */
export function runtimesOf<O extends object, R extends AgentRuntime & { close?: () => Promise<void> }>(
  Runtime: new (options: O) => R,
  defaults: () => NoInfer<O>,
): (options?: O) => R {
  const made: R[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map(async (runtime) => runtime.close?.()));
  });
  return (options) => {
    const runtime = new Runtime({ ...defaults(), ...options });
    made.push(runtime);
    return runtime;
  };
}

/** A definition of `kind` with `settings`, built on a builtin one for the fields no remote kind reads. */
export function remoteAgent(
  kind: AgentDefinition['kind'],
  id: string,
  settings: Record<string, unknown>,
): AgentDefinition {
  return { ...definition('builtin.summarizer'), id, version: '1.0.0', kind, settings };
}
