import {
  isBatonError,
  type ConsumeOptions,
  type StopConsuming,
  type WorkFailure,
  type WorkHandler,
  type WorkQueue,
  type WorkSignal,
} from '@baton/core';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeRedisClient, createRedisClient, type RedisConnection } from './redis-client.js';
import { bullmqPriority, poolQueueName, taskKeyOfJobId, workJobId } from './work-signal.js';

/** BullMQ worker settings worth tuning per deployment; the defaults suit agent calls of seconds to minutes. */
export type WorkerTuning = Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'drainDelay'
>;

/** Options of a `BullmqWorkQueue`. */
export interface BullmqWorkQueueOptions {
  redis: RedisConnection;
  /** Prefix of every Redis key (BullMQ's own and the run index). Wrap it in `{…}` on Redis Cluster. */
  prefix?: string;
  /**
   * Deliveries of a signal whose handler keeps failing, the first included (default 3). Retries here are
   * quick and cheap; after the last one the signal is dropped and the reconciler re-adds it from the store.
   */
  deliveries?: number;
  /** Delay before the second delivery, doubled for each further one (default 1,000 ms). */
  backoffMs?: number;
  /** How long a run's index (for `remove`) outlives its last `add` (default 7 days). */
  runIndexTtlSeconds?: number;
  /** Told about each handler failure (with `failure`) and about Redis errors (without). Never throws back. */
  onError?: (error: unknown, failure?: WorkFailure) => void;
  worker?: WorkerTuning;
}

const STATES_WAITING = ['waiting', 'prioritized', 'delayed'] as const;

/**
 * The `WorkQueue` of distributed mode, over BullMQ: one BullMQ queue per agent pool, one BullMQ worker per
 * pool a process consumes.
 *
 * - Job ids come from `workJobId` (run, task, attempt), so a repeated add is a no-op while the signal is in
 *   Redis. Completed and failed jobs are removed at once: Redis holds only what is waiting or running, and
 *   the id is free again for the reconciler.
 * - Priorities come from `bullmqPriority` (run priority bands, then log-scaled rank, then FIFO).
 * - A handler error is reported to `onError` and the signal redelivered with exponential backoff, up to
 *   `deliveries` times; a `BatonError` that is not `retryable` (or BullMQ's `UnrecoverableError`) ends it at
 *   once. A worker that dies mid-handler loses its lock, and BullMQ's stalled check hands the signal out
 *   again. Whatever still gets lost is the reconciler's: PostgreSQL, not Redis, knows which tasks are ready.
 * - `remove` needs the jobs of a run without scanning every queue, so `add` also records each signal in a
 *   per-run set (`<prefix>:run:<runId>`) that expires a while after the run's last add.
 */
export class BullmqWorkQueue implements WorkQueue {
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #deliveries: number;
  readonly #backoffMs: number;
  readonly #indexTtl: number;
  readonly #workerTuning: WorkerTuning;
  readonly #onError: (error: unknown, failure?: WorkFailure) => void;
  /** For adds, counts, removals and the index. Workers open their own (blocking) connections. */
  readonly #client: Redis;
  readonly #queues = new Map<string, Queue<WorkSignal>>();
  readonly #consumers = new Set<StopConsuming>();
  #closing: Promise<void> | undefined;

  constructor(options: BullmqWorkQueueOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'baton';
    this.#deliveries = positiveInteger(options.deliveries ?? 3, 'deliveries');
    this.#backoffMs = Math.max(0, options.backoffMs ?? 1_000);
    this.#indexTtl = positiveInteger(options.runIndexTtlSeconds ?? 7 * 24 * 3600, 'runIndexTtlSeconds');
    this.#workerTuning = options.worker ?? {};
    const onError = options.onError ?? (() => undefined);
    this.#onError = (error, failure) => {
      try {
        onError(error, failure);
      } catch {
        // A faulty reporter must not turn into a lost signal or a crashed worker.
      }
    };
    this.#client = createRedisClient(this.#redis);
    this.#client.on('error', (error) => this.#onError(error));
  }

  async add(signals: readonly WorkSignal[]): Promise<void> {
    this.#assertOpen();
    if (signals.length === 0) return;
    const byPool = new Map<string, { name: string; data: WorkSignal; opts: JobsOptions }[]>();
    const index = this.#client.multi();
    const runs = new Set<string>();
    for (const signal of signals) {
      const jobId = workJobId(signal);
      const data: WorkSignal = {
        runId: signal.runId,
        taskKey: signal.taskKey,
        attempt: signal.attempt,
        pool: signal.pool,
        runPriority: signal.runPriority,
        rank: signal.rank,
      };
      const jobs = byPool.get(signal.pool) ?? [];
      if (jobs.length === 0) byPool.set(signal.pool, jobs);
      jobs.push({ name: signal.taskKey, data, opts: this.#jobOptions(jobId, signal) });
      index.sadd(this.#runKey(signal.runId), indexMember(signal.pool, jobId));
      runs.add(signal.runId);
    }
    for (const runId of runs) index.expire(this.#runKey(runId), this.#indexTtl);
    index.sadd(this.#poolsKey(), ...byPool.keys());
    // The index first: an indexed signal that failed to be added is harmless to `remove`, while an added
    // signal missing from the index could not be removed.
    assertExec(await index.exec());
    await Promise.all([...byPool].map(([pool, jobs]) => this.#queue(pool).addBulk(jobs)));
  }

  consume(pools: readonly string[], options: ConsumeOptions, handler: WorkHandler): StopConsuming {
    this.#assertOpen();
    const concurrency = positiveInteger(options.concurrency, 'concurrency');
    // The workers of this call share one client for their commands and each duplicate it for its blocking
    // read. Workers must wait out a Redis outage rather than fail commands, hence `maxRetriesPerRequest: null`.
    const connection = createRedisClient(this.#redis, { lazyConnect: true, maxRetriesPerRequest: null });
    const workers = [...new Set(pools)].map((pool) => {
      const worker = new Worker<WorkSignal, void>(
        poolQueueName(pool),
        (job, _token, abort) => this.#process(job, handler, abort),
        { ...this.#workerTuning, connection, prefix: this.#prefix, concurrency, autorun: true },
      );
      worker.on('error', (error) => this.#onError(error));
      // A stalled job's handler died or blocked past its lock; BullMQ hands the signal out again (or drops it
      // after `maxStalledCount`, for the reconciler). Worth knowing either way.
      worker.on('stalled', (jobId) => this.#onError(new Error(`signal ${jobId} of pool "${pool}" stalled`)));
      return worker;
    });
    let stopping: Promise<void> | undefined;
    const stop: StopConsuming = (stopOptions = {}) => {
      if (stopOptions.cancelRunning)
        for (const worker of workers) worker.cancelAllJobs('the consumer is stopping');
      return (stopping ??= (async () => {
        // `close()` without force stops fetching and waits for the running handlers to settle.
        await Promise.all(workers.map((worker) => worker.close()));
        // Workers leave a client they were given open; it is ours to close.
        await closeRedisClient(connection);
        this.#consumers.delete(stop);
      })());
    };
    this.#consumers.add(stop);
    return stop;
  }

  async remove(runId: string, taskKeys?: readonly string[]): Promise<number> {
    this.#assertOpen();
    const key = this.#runKey(runId);
    const members = await this.#client.smembers(key);
    const wanted = taskKeys === undefined ? undefined : new Set(taskKeys);
    const chosen = members.filter((member) => !wanted || wanted.has(parseIndexMember(member).taskKey ?? ''));
    // `Queue.remove` skips a job that is running (locked): only signals not yet handed out are dropped.
    const results = await Promise.all(
      chosen.map((member) => {
        const { pool, jobId } = parseIndexMember(member);
        return this.#queue(pool).remove(jobId);
      }),
    );
    if (!wanted) await this.#client.del(key);
    else if (chosen.length > 0) await this.#client.srem(key, ...chosen);
    return results.filter((result) => result === 1).length;
  }

  async depth(pools?: readonly string[]): Promise<number> {
    this.#assertOpen();
    const names = pools ?? (await this.#client.smembers(this.#poolsKey()));
    const counts = await Promise.all(
      names.map((pool) => this.#queue(pool).getJobCountByTypes(...STATES_WAITING)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      await Promise.all([...this.#consumers].map((stop) => stop()));
      await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
      await closeRedisClient(this.#client);
    })());
  }

  async #process(job: Job<WorkSignal, void>, handler: WorkHandler, abort?: AbortSignal): Promise<void> {
    const work = job.data;
    try {
      await handler(work, abort ?? new AbortController().signal);
    } catch (error) {
      const retryable = !(error instanceof UnrecoverableError) && !(isBatonError(error) && !error.retryable);
      const delivery = job.attemptsMade + 1;
      this.#onError(error, { work, delivery, final: !retryable || delivery >= (job.opts.attempts ?? 1) });
      const message = error instanceof Error ? error.message : String(error);
      if (!retryable) throw error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
      throw error instanceof Error ? error : new Error(message);
    }
  }

  #jobOptions(jobId: string, signal: WorkSignal): JobsOptions {
    return {
      jobId,
      priority: bullmqPriority(signal.runPriority, signal.rank),
      attempts: this.#deliveries,
      backoff: { type: 'exponential', delay: this.#backoffMs },
      // Redis keeps only live signals: the store has the history, and a removed id can be added again.
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  #queue(pool: string): Queue<WorkSignal> {
    let queue = this.#queues.get(pool);
    if (!queue) {
      // The shared client is not closed by `queue.close()`; this class closes it last.
      queue = new Queue<WorkSignal>(poolQueueName(pool), { connection: this.#client, prefix: this.#prefix });
      queue.on('error', (error) => this.#onError(error));
      this.#queues.set(pool, queue);
    }
    return queue;
  }

  #runKey(runId: string): string {
    return `${this.#prefix}:run:${encodeURIComponent(runId)}`;
  }

  #poolsKey(): string {
    return `${this.#prefix}:pools`;
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('the work queue is closed');
  }
}

/** A run index entry: the pool (encoded, so it holds no `/`) and the job id. */
function indexMember(pool: string, jobId: string): string {
  return `${encodeURIComponent(pool)}/${jobId}`;
}

function parseIndexMember(member: string): { pool: string; jobId: string; taskKey: string | undefined } {
  const slash = member.indexOf('/');
  const jobId = member.slice(slash + 1);
  return { pool: decodeURIComponent(member.slice(0, slash)), jobId, taskKey: taskKeyOfJobId(jobId) };
}

function assertExec(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('the Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
