import type { ErrorInfo } from '../execution/records.js';
import type { BreakerRecord, BreakerState, BreakerStore } from '../ports/breaker-store.js';
import type { Clock } from '../ports/clock.js';

/** How breakers trip and recover. */
export interface BreakerPolicy {
  /** Outcomes older than this no longer count (ms, default 60 s). */
  windowMs: number;
  /** A breaker trips only after at least this many calls in the window (default 10). */
  minCalls: number;
  /**
   * It trips when the agent fails at least this fraction of calls (default 0.5) — judged by the 99% lower
   * confidence bound of the failure rate in the window, so an agent that always fails trips after `minCalls`
   * calls, while one that fails 30% of the time does not trip on an unlucky streak.
   */
  failureRate: number;
  /** How long an open breaker refuses calls before it lets probes through (ms, default 30 s). */
  coolDownMs: number;
  /** Calls let through at once while half-open; that many successes close it, one failure opens it again. */
  probes: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  windowMs: 60_000,
  minCalls: 10,
  failureRate: 0.5,
  coolDownMs: 30_000,
  probes: 1,
};

/** An agent version's health as the registry shows it, from its breaker. */
export type AgentHealth = 'active' | 'degraded' | 'offline';

/** A breaker changed state: what it was, what it is, and why. */
export interface BreakerChange {
  agent: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
}

/** Failures that say nothing about the agent's health: the run was cancelled, or the input was wrong. */
const NOT_THE_AGENT: ReadonlySet<string> = new Set(['CANCELLED', 'INVALID_INPUT', 'BUDGET_EXCEEDED']);

/** The window is counted in this many slices; an outcome leaves it with its slice, up to a slice late. */
const SLICES = 60;

interface Slice {
  start: number;
  calls: number;
  failed: number;
}

interface Breaker {
  record: BreakerRecord;
  /**
   * Outcomes in the window, counted per slice of it (a sixtieth), oldest first: recording a call costs the same
   * however many calls the window holds, and the window takes at most 61 slices of memory.
   */
  slices: Slice[];
  probesOut: number;
  probeSuccesses: number;
  /** Calls made and not answered yet: counted as not failed, so fast failures cannot trip it ahead of slow successes. */
  inFlight: number;
}

/**
 * One circuit breaker per agent version, shared by every run this process drives: closed → open when the
 * failure rate in the window crosses the policy's, open → half-open after the cool-down, half-open → closed
 * after enough successful probes or → open again on a failed one. Changes of state are written to the store
 * (so they survive restarts and reach other processes on the same store, which reload them every cool-down
 * tenth) and reported to listeners.
 */
export class CircuitBreakers {
  readonly #breakers = new Map<string, Breaker>();
  readonly #listeners = new Set<(change: BreakerChange) => void>();
  readonly #policy: BreakerPolicy;
  #cancelRefresh: (() => void) | undefined;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: BreakerStore | undefined,
    policy: Partial<BreakerPolicy> = {},
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.#policy = { ...DEFAULT_BREAKER_POLICY, ...policy };
  }

  /** Loads the stored breakers, then keeps them in step with the store. */
  async start(): Promise<void> {
    await this.refresh();
    this.#scheduleRefresh();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelRefresh?.();
  }

  /** Takes breaker states other processes wrote since; a newer change here wins. */
  async refresh(): Promise<void> {
    if (!this.store) return;
    for (const record of await this.store.loadBreakers()) {
      const known = this.#breakers.get(record.agent);
      if (known && known.record.changedAt >= record.changedAt) continue;
      const from = known?.record.state ?? 'closed';
      this.#breakers.set(record.agent, {
        record,
        slices: [],
        probesOut: 0,
        probeSuccesses: 0,
        inFlight: known?.inFlight ?? 0,
      });
      if (from !== record.state)
        this.#notify({
          agent: record.agent,
          from,
          to: record.state,
          at: record.changedAt,
          reason: 'changed by another process',
        });
    }
  }

  /** Listens to changes of state; returns a function that stops listening. */
  onChange(listener: (change: BreakerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The breaker's state now (an open breaker past its cool-down reads half-open). */
  state(agent: string): BreakerState {
    const breaker = this.#breakers.get(agent);
    if (!breaker) return 'closed';
    this.#coolDown(breaker);
    return breaker.record.state;
  }

  health(agent: string): AgentHealth {
    switch (this.state(agent)) {
      case 'closed':
        return this.failureRate(agent) >= this.#policy.failureRate / 2 ? 'degraded' : 'active';
      case 'half_open':
        return 'degraded';
      case 'open':
        return 'offline';
    }
  }

  /** The fraction of calls in the window that failed (0 without calls). */
  failureRate(agent: string): number {
    const breaker = this.#breakers.get(agent);
    if (!breaker) return 0;
    const { calls, failed } = this.#counts(breaker);
    return calls === 0 ? 0 : failed / calls;
  }

  /** Every breaker that has seen calls, for the registry and operators. */
  list(): BreakerRecord[] {
    return [...this.#breakers.values()].map((b) => {
      this.#coolDown(b);
      return { ...b.record };
    });
  }

  /** When an open breaker lets probes through; undefined when it is not open. */
  reopensAt(agent: string): number | undefined {
    const breaker = this.#breakers.get(agent);
    if (!breaker) return undefined;
    this.#coolDown(breaker);
    return breaker.record.state === 'open' ? breaker.record.retryAt : undefined;
  }

  /**
   * Whether a call to `agent` may go out now. A half-open breaker lets `probes` calls through; letting one
   * through counts it as a probe in flight, so call this only when the call will be made.
   */
  admits(agent: string): boolean {
    const breaker = this.#breakers.get(agent);
    if (!breaker) return true;
    this.#coolDown(breaker);
    switch (breaker.record.state) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half_open':
        if (breaker.probesOut >= this.#policy.probes) return false;
        breaker.probesOut++;
        return true;
    }
  }

  /** A call to `agent` went out; its outcome is `record`ed when it returns. */
  started(agent: string): void {
    this.#get(agent, this.clock.now()).inFlight++;
  }

  /** Records the outcome of a call; `error` absent means it succeeded. */
  record(agent: string, error?: ErrorInfo): void {
    const now = this.clock.now();
    const breaker = this.#get(agent, now);
    breaker.inFlight = Math.max(0, breaker.inFlight - 1);
    if (error && NOT_THE_AGENT.has(error.code)) return;
    this.#coolDown(breaker);
    // An agent that asks a person for input answered as it should.
    const ok = error === undefined || error.code === 'INPUT_REQUIRED';
    switch (breaker.record.state) {
      case 'half_open':
        breaker.probesOut = Math.max(0, breaker.probesOut - 1);
        if (!ok) return this.#open(breaker, now, `probe failed: ${error.code}: ${error.message}`);
        if (++breaker.probeSuccesses >= this.#policy.probes) {
          breaker.slices = [];
          this.#change(breaker, 'closed', now, `${breaker.probeSuccesses} probe(s) succeeded`);
        }
        return;
      case 'open':
        return;
      case 'closed': {
        this.#count(breaker, now, ok);
        if (ok) return;
        const { calls, failed } = this.#counts(breaker);
        const out = calls + breaker.inFlight;
        if (calls >= this.#policy.minCalls && wilsonLower(failed, out) >= this.#policy.failureRate) {
          this.#open(
            breaker,
            now,
            `${failed} of ${calls} calls failed in ${this.#policy.windowMs} ms; last: ${error.code}: ${error.message}`,
          );
        }
        return;
      }
    }
  }

  #get(agent: string, now: number): Breaker {
    let breaker = this.#breakers.get(agent);
    if (!breaker) {
      breaker = {
        record: { agent, state: 'closed', changedAt: now, trips: 0 },
        slices: [],
        probesOut: 0,
        probeSuccesses: 0,
        inFlight: 0,
      };
      this.#breakers.set(agent, breaker);
    }
    return breaker;
  }

  #open(breaker: Breaker, now: number, reason: string): void {
    breaker.record.trips++;
    breaker.record.retryAt = now + this.#policy.coolDownMs;
    breaker.record.reason = reason;
    this.#change(breaker, 'open', now, reason);
  }

  #coolDown(breaker: Breaker): void {
    const { record } = breaker;
    if (record.state !== 'open' || record.retryAt === undefined || this.clock.now() < record.retryAt) return;
    breaker.probesOut = 0;
    breaker.probeSuccesses = 0;
    this.#change(breaker, 'half_open', record.retryAt, 'cool-down over: letting probes through');
  }

  #change(breaker: Breaker, to: BreakerState, at: number, reason: string): void {
    const from = breaker.record.state;
    breaker.record.state = to;
    breaker.record.changedAt = at;
    if (to !== 'open') delete breaker.record.retryAt;
    this.store?.saveBreakers([{ ...breaker.record }]).catch((error: unknown) => this.onError(error));
    this.#notify({ agent: breaker.record.agent, from, to, at, reason });
  }

  #notify(change: BreakerChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** Adds an outcome to the slice of the window `now` falls in. */
  #count(breaker: Breaker, now: number, ok: boolean): void {
    const width = this.#policy.windowMs / SLICES;
    let slice = breaker.slices.at(-1);
    if (!slice || now >= slice.start + width) {
      slice = { start: now - (now % width), calls: 0, failed: 0 };
      breaker.slices.push(slice);
    }
    slice.calls++;
    if (!ok) slice.failed++;
  }

  /** Calls and failures in the window, after dropping the slices that left it. */
  #counts(breaker: Breaker): { calls: number; failed: number } {
    const width = this.#policy.windowMs / SLICES;
    const oldest = this.clock.now() - this.#policy.windowMs;
    const { slices } = breaker;
    let drop = 0;
    while (drop < slices.length && slices[drop]!.start + width <= oldest) drop++;
    if (drop > 0) slices.splice(0, drop);
    let calls = 0;
    let failed = 0;
    for (const slice of slices) {
      calls += slice.calls;
      failed += slice.failed;
    }
    return { calls, failed };
  }

  #scheduleRefresh(): void {
    if (this.#stopped || !this.store) return;
    const every = Math.max(1_000, this.#policy.coolDownMs / 10);
    this.#cancelRefresh = this.clock.setTimer(every, () => {
      this.refresh()
        .catch((error: unknown) => this.onError(error))
        .finally(() => this.#scheduleRefresh());
    });
  }
}

/** z for a one-sided 99% bound. */
const Z = 2.576;

/** The lower bound of the Wilson score interval of `failed / calls`: the failure rate the evidence supports. */
export function wilsonLower(failed: number, calls: number): number {
  if (calls === 0) return 0;
  const p = failed / calls;
  const z2 = Z * Z;
  const centre = p + z2 / (2 * calls);
  const margin = Z * Math.sqrt((p * (1 - p)) / calls + z2 / (4 * calls * calls));
  return (centre - margin) / (1 + z2 / calls);
}
