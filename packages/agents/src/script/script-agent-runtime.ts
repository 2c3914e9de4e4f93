import {
  AgentError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
} from '@baton/core';
import { throwIfAborted } from '../abort.js';
import { parseUntrustedJson } from '../net/untrusted-json.js';
import { SandboxPool, type SandboxPoolOptions } from './sandbox-pool.js';
import type { SandboxFailure, SandboxOutcome } from './sandbox-protocol.js';
import { readScriptSettings, type ScriptAgentSettings } from './script-settings.js';

/** Options of `ScriptAgentRuntime`. */
export interface ScriptAgentRuntimeOptions extends SandboxPoolOptions {
  /** The output's JSON text may be at most this many characters. Default 1,000,000. */
  maxOutputChars?: number;
  /** `console` lines reported per attempt; later ones are dropped. Default 200. */
  maxLogLines?: number;
  /** A longer `console` line is cut. Default 2,000 characters. */
  maxLogLineChars?: number;
  /** QuickJS stack size per run. Default 512 KiB. */
  stackLimitBytes?: number;
}

/**
 * Runs user JavaScript (kind `script`; settings in `ScriptAgentSettings`) in a QuickJS WebAssembly sandbox
 * on a worker thread, with no host access at all: no `require`, `import`, `process`, `fetch` or timers —
 * only the language and its built-ins, and what is passed in.
 *
 * The script is an ES module whose default export is the entry, sync or async:
 *
 * ```js
 * export default function run(input, context) {
 *   console.log('scoring', input.lead.name);
 *   return { score: input.lead.employees > 100 ? 80 : 40 };
 * }
 * ```
 *
 * `input` is the task input, `context` is `{ runId, taskKey, attempt, idempotencyKey, agent: { id,
 * version } }`; both arrive as fresh JSON data. The result must be plain JSON data (objects, arrays,
 * strings, finite numbers, booleans, null; `undefined` properties are left out); anything else fails with
 * the path to the offending value. `console.log/info/debug/warn/error` lines are reported through
 * `invocation.progress(line, { log: level })`.
 *
 * Every attempt gets a fresh QuickJS runtime, disposed afterwards. Contract: a script that throws, runs
 * past `timeLimitMs`, exhausts `memoryLimitMb` or its stack, or returns something that is not JSON
 * rejects with a non-retryable `AgentError` (`details.failure` says which), since the same script on the
 * same input would fail again; a failure of the sandbox itself is retryable; invalid settings are a
 * `DefinitionError`. An abort stops the script at once (its worker is terminated) and rejects with the
 * signal's reason. Call `close()` on shutdown to stop the worker threads.
 */
export class ScriptAgentRuntime implements AgentRuntime {
  readonly kind = 'script';
  readonly #pool: SandboxPool;
  readonly #maxOutputChars: number;
  readonly #maxLogLines: number;
  readonly #maxLogLineChars: number;
  readonly #stackLimitBytes: number;

  constructor(options: ScriptAgentRuntimeOptions = {}) {
    this.#pool = new SandboxPool(options);
    this.#maxOutputChars = options.maxOutputChars ?? 1_000_000;
    this.#maxLogLines = options.maxLogLines ?? 200;
    this.#maxLogLineChars = options.maxLogLineChars ?? 2_000;
    this.#stackLimitBytes = options.stackLimitBytes ?? 512 * 1024;
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'script';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readScriptSettings(agent);
    const context = {
      runId: invocation.runId,
      taskKey: invocation.taskKey,
      attempt: invocation.attempt,
      idempotencyKey: invocation.idempotencyKey,
      agent: { id: agent.id, version: agent.version },
    };
    const outcome = await this.#pool.run({
      job: {
        source: settings.source,
        inputJson: JSON.stringify(invocation.input),
        contextJson: JSON.stringify(context),
        memoryLimitBytes: settings.memoryLimitMb * 1024 * 1024,
        stackLimitBytes: this.#stackLimitBytes,
        timeLimitMs: settings.timeLimitMs,
        maxOutputChars: this.#maxOutputChars,
        maxLogLines: this.#maxLogLines,
        maxLogLineChars: this.#maxLogLineChars,
      },
      signal,
      onLog: (level, text) => invocation.progress(text, { log: level }),
    });
    // The worker may have answered just as the signal fired; the abort wins, as the contract says.
    throwIfAborted(signal);
    return { output: this.#output(outcome, agent, settings), costUsd: agent.performance.costPerExecution };
  }

  /** Stops the worker threads; attempts still running reject with a `CancelledError`. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  #output(outcome: SandboxOutcome, agent: AgentDefinition, settings: ScriptAgentSettings): unknown {
    const name = `script agent ${agent.id}@${agent.version}`;
    if (outcome.ok) {
      try {
        return parseUntrustedJson(outcome.outputJson);
      } catch (error) {
        throw failed(
          `${name} returned output that is not plain JSON data: ${String(error)}`,
          'output',
          error,
        );
      }
    }
    const { failure, message } = outcome;
    switch (failure) {
      case 'threw':
        throw failed(`${name} threw ${message}`, failure);
      case 'time':
        throw failed(
          `${name} ran past its time limit of ${settings.timeLimitMs} ms and was stopped ` +
            '(raise settings.timeLimitMs if the work needs longer)',
          failure,
        );
      case 'memory':
        throw failed(
          `${name} ran out of its ${settings.memoryLimitMb} MB memory limit and was stopped ` +
            '(raise settings.memoryLimitMb if the work needs more)',
          failure,
        );
      case 'stack':
        throw failed(`${name} overflowed its stack (recursion too deep) and was stopped`, failure);
      case 'output':
        throw failed(`${name} returned output that is not plain JSON data: ${message}`, failure);
      case 'entry':
        throw failed(
          `${name} must export its entry as the default export, ` +
            `e.g. export default function run(input, context) { … }; ${message}`,
          failure,
        );
      case 'pending':
        throw failed(
          `${name} returned a promise that never settled (${message}); the sandbox has no timers or I/O, ` +
            'so nothing outside the script can settle it',
          failure,
        );
      case 'internal':
        throw new AgentError(`${name} could not run: ${message}`, { retryable: true, details: { failure } });
    }
  }
}

function failed(message: string, failure: SandboxFailure, cause?: unknown): AgentError {
  return new AgentError(message, {
    retryable: false,
    details: { failure },
    ...(cause === undefined ? {} : { cause }),
  });
}
