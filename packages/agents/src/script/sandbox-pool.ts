import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '@baton/core';
import { abortError } from '../abort.js';
import type {
  SandboxJob,
  SandboxLogLevel,
  SandboxMessage,
  SandboxOutcome,
  SandboxWorkerData,
} from './sandbox-protocol.js';
import { sandboxPrelude } from './sandbox-prelude.js';
import { sandboxWorkerMain } from './sandbox-worker.js';

/** Options of `SandboxPool`. */
export interface SandboxPoolOptions {
  /** Scripts running at once; more wait in line. Default: one less than the cores, at least 1, at most 4. */
  maxWorkers?: number;
  /** An idle worker is stopped after this long. Default 30 s. */
  idleTimeoutMs?: number;
  /** A worker is replaced after this many jobs, bounding any slow growth of its memory. Default 500. */
  maxJobsPerWorker?: number;
}

/** One run to do: the job without its id, where its console lines go, and what stops it. */
export interface SandboxRequest {
  readonly job: Omit<SandboxJob, 'id'>;
  readonly signal: AbortSignal;
  readonly onLog: (level: SandboxLogLevel, text: string) => void;
}

interface Pending {
  readonly request: SandboxRequest;
  readonly resolve: (outcome: SandboxOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly onAbort: () => void;
  id?: number;
  worker?: PoolWorker;
  watchdog?: NodeJS.Timeout;
}

interface PoolWorker {
  readonly worker: Worker;
  jobs: number;
  current: Pending | undefined;
  idleTimer?: NodeJS.Timeout;
}

const WORKER_SOURCE = `'use strict';
const threads = require('node:worker_threads');
(${sandboxWorkerMain.toString()})(threads, require(threads.workerData.quickjsPath));
`;

/**
 * Runs sandbox jobs on worker threads, one job per worker at a time. Scripts run off the main thread so that
 * a busy script never stalls the engine's event loop, and so that the host can always stop one: the worker
 * enforces the time limit itself through QuickJS's interrupt handler, and a watchdog here terminates the
 * whole worker if it has not answered shortly after (a script can make the interrupt checks rare, e.g. by
 * making every allocation fail and catching the error). An abort terminates the worker at once.
 *
 * Idle workers are unreferenced: they never keep the process alive. Call `close()` on shutdown anyway.
 */
export class SandboxPool {
  readonly #maxWorkers: number;
  readonly #idleTimeoutMs: number;
  readonly #maxJobsPerWorker: number;
  readonly #workerData: SandboxWorkerData;
  readonly #queue: Pending[] = [];
  readonly #idle: PoolWorker[] = [];
  readonly #workers = new Set<PoolWorker>();
  #nextJobId = 1;
  #closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.#maxWorkers = options.maxWorkers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#maxJobsPerWorker = options.maxJobsPerWorker ?? 500;
    this.#workerData = {
      quickjsPath: createRequire(import.meta.url).resolve('quickjs-emscripten'),
      preludeSource: sandboxPrelude.toString(),
    };
  }

  /** How many worker threads exist now (busy or idle). */
  get size(): number {
    return this.#workers.size;
  }

  /** Runs one job. Rejects only with the abort error, or a `CancelledError` once the pool is closed. */
  run(request: SandboxRequest): Promise<SandboxOutcome> {
    const { signal } = request;
    if (this.#closed) return Promise.reject(new CancelledError('the script sandbox is shut down'));
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<SandboxOutcome>((resolve, reject) => {
      const pending: Pending = {
        request,
        resolve,
        reject,
        onAbort: () => {
          const queued = this.#queue.indexOf(pending);
          if (queued !== -1) this.#queue.splice(queued, 1);
          // A script cannot be interrupted from outside its thread: stop the thread.
          if (pending.worker) this.#retire(pending.worker);
          this.#finish(pending, abortError(signal));
        },
      };
      signal.addEventListener('abort', pending.onAbort, { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Stops every worker; running and waiting jobs reject with a `CancelledError`. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new CancelledError('the script sandbox is shut down');
    for (const pending of this.#queue.splice(0)) this.#finish(pending, stopped);
    const workers = [...this.#workers];
    for (const entry of workers) {
      if (entry.current) this.#finish(entry.current, stopped);
      this.#retire(entry);
    }
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const entry = this.#idle.pop() ?? (this.#workers.size < this.#maxWorkers ? this.#spawn() : undefined);
      if (!entry) return;
      const pending = this.#queue.shift() as Pending;
      clearTimeout(entry.idleTimer);
      entry.current = pending;
      entry.jobs += 1;
      pending.worker = entry;
      pending.id = this.#nextJobId++;
      entry.worker.ref();
      const job: SandboxJob = { ...pending.request.job, id: pending.id };
      entry.worker.postMessage(job);
    }
  }

  #spawn(): PoolWorker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: this.#workerData,
      // The QuickJS heap lives in WebAssembly memory, capped per job; this caps the worker's own JS heap.
      resourceLimits: { maxOldGenerationSizeMb: 96 },
    });
    const entry: PoolWorker = { worker, jobs: 0, current: undefined };
    worker.on('message', (message: SandboxMessage) => this.#onMessage(entry, message));
    worker.on('error', (error: Error) => this.#onGone(entry, `the sandbox worker failed: ${error.message}`));
    worker.on('exit', (code) => this.#onGone(entry, `the sandbox worker exited with code ${code}`));
    this.#workers.add(entry);
    return entry;
  }

  #onMessage(entry: PoolWorker, message: SandboxMessage): void {
    const pending = entry.current;
    if (!pending || message.id !== pending.id) return;
    switch (message.type) {
      case 'started': {
        const { timeLimitMs } = pending.request.job;
        // Starts late (after the worker's own deadline), so it fires only when the worker failed to stop.
        pending.watchdog = setTimeout(
          () => {
            this.#retire(entry);
            this.#finish(pending, { ok: false, failure: 'time', message: 'terminated by the watchdog' });
          },
          timeLimitMs + Math.max(250, timeLimitMs / 2),
        );
        return;
      }
      case 'log':
        try {
          pending.request.onLog(message.level, message.text);
        } catch {
          // A failing progress sink loses a log line; it must not take the worker's message handler down.
        }
        return;
      case 'done':
        entry.current = undefined;
        this.#finish(pending, message.outcome);
        if (message.recycle || entry.jobs >= this.#maxJobsPerWorker) this.#retire(entry);
        else this.#park(entry);
        this.#dispatch();
        return;
    }
  }

  #onGone(entry: PoolWorker, why: string): void {
    const pending = entry.current;
    this.#retire(entry);
    // A worker over its heap cap dies with ERR_WORKER_OUT_OF_MEMORY: that is the script's doing.
    const failure = /out of memory/i.test(why) ? 'memory' : 'internal';
    if (pending) this.#finish(pending, { ok: false, failure, message: why });
    this.#dispatch();
  }

  #park(entry: PoolWorker): void {
    entry.worker.unref();
    this.#idle.push(entry);
    entry.idleTimer = setTimeout(() => this.#retire(entry), this.#idleTimeoutMs);
    entry.idleTimer.unref();
  }

  #retire(entry: PoolWorker): void {
    if (!this.#workers.delete(entry)) return;
    clearTimeout(entry.idleTimer);
    const idle = this.#idle.indexOf(entry);
    if (idle !== -1) this.#idle.splice(idle, 1);
    entry.current = undefined;
    void entry.worker.terminate();
  }

  /** Settles a job once, whatever came first: its answer, an abort, a crash, the watchdog, or `close`. */
  #finish(pending: Pending, result: SandboxOutcome | Error): void {
    clearTimeout(pending.watchdog);
    pending.request.signal.removeEventListener('abort', pending.onAbort);
    if (result instanceof Error) pending.reject(result);
    else pending.resolve(result);
  }
}
