/**
 * The messages between `SandboxPool` (host thread) and its workers. Plain data only: they cross a
 * `postMessage` boundary.
 */

/** One script run, as the pool sends it to a worker. */
export interface SandboxJob {
  readonly id: number;
  /** An ES module whose default export is the entry function. */
  readonly source: string;
  /** The entry's first argument, as JSON text; parsed inside the sandbox. */
  readonly inputJson: string;
  /** The entry's second argument (run id, task key, attempt…), as JSON text. */
  readonly contextJson: string;
  readonly memoryLimitBytes: number;
  readonly stackLimitBytes: number;
  readonly timeLimitMs: number;
  /** The output's JSON text may be at most this long. */
  readonly maxOutputChars: number;
  readonly maxLogLines: number;
  readonly maxLogLineChars: number;
}

/** Why a run failed. `internal` is the sandbox's fault (worth a retry); every other kind is the script's. */
export type SandboxFailure =
  'threw' | 'time' | 'memory' | 'stack' | 'output' | 'entry' | 'pending' | 'internal';

/** The level of a captured `console` line. */
export type SandboxLogLevel = 'info' | 'warn' | 'error';

/** The end of a run: the output's JSON text, or why there is none. */
export type SandboxOutcome =
  | { readonly ok: true; readonly outputJson: string }
  | { readonly ok: false; readonly failure: SandboxFailure; readonly message: string };

/** What a worker sends back. */
export type SandboxMessage =
  | { readonly type: 'started'; readonly id: number }
  | { readonly type: 'log'; readonly id: number; readonly level: SandboxLogLevel; readonly text: string }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly outcome: SandboxOutcome;
      /** The worker should not run another job (its WebAssembly memory may be grown or damaged). */
      readonly recycle: boolean;
    };

/** What every worker gets at start. */
export interface SandboxWorkerData {
  /** The file `require` loads quickjs-emscripten from. */
  readonly quickjsPath: string;
  /** The source of `sandboxPrelude`, evaluated in each fresh context before the script. */
  readonly preludeSource: string;
}
