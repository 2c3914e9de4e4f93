import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../execution/records.js';
import type { BreakerRecord, BreakerStore } from '../ports/breaker-store.js';
import type { Clock } from '../ports/clock.js';
import { CircuitBreakers, wilsonLower, type BreakerChange } from './circuit-breakers.js';

const down: ErrorInfo = { code: 'AGENT_FAILED', message: 'down', retryable: true };

function setUp(store?: BreakerStore) {
  let now = 1_000_000;
  const clock: Clock = { now: () => now, setTimer: () => () => undefined };
  const breakers = new CircuitBreakers(clock, store, { coolDownMs: 30_000, probes: 2 });
  const changes: BreakerChange[] = [];
  breakers.onChange((change) => changes.push(change));
  const call = (ok: boolean) => {
    breakers.started('a@1');
    breakers.record('a@1', ok ? undefined : down);
  };
  return { breakers, changes, call, advance: (ms: number) => (now += ms) };
}

class MemoryBreakers implements BreakerStore {
  readonly rows = new Map<string, BreakerRecord>();
  loadBreakers(): Promise<BreakerRecord[]> {
    return Promise.resolve([...this.rows.values()].map((r) => ({ ...r })));
  }
  saveBreakers(records: readonly BreakerRecord[]): Promise<void> {
    for (const r of records) this.rows.set(r.agent, { ...r });
    return Promise.resolve();
  }
}

describe('circuit breakers', () => {
  it('opens after minCalls calls that show the agent failing, refuses calls, then half-opens after the cool-down', () => {
    const { breakers, changes, call, advance } = setUp();
    for (let i = 0; i < 9; i++) call(false);
    expect(breakers.state('a@1')).toBe('closed');
    call(false);
    expect(breakers.state('a@1')).toBe('open');
    expect(breakers.admits('a@1')).toBe(false);
    expect(breakers.health('a@1')).toBe('offline');
    expect(breakers.reopensAt('a@1')).toBe(1_030_000);
    advance(30_000);
    expect(breakers.state('a@1')).toBe('half_open');
    expect(breakers.health('a@1')).toBe('degraded');
    // Two probes at once, no more.
    expect([breakers.admits('a@1'), breakers.admits('a@1'), breakers.admits('a@1')]).toEqual([
      true,
      true,
      false,
    ]);
    breakers.record('a@1');
    expect(breakers.state('a@1')).toBe('half_open');
    breakers.record('a@1');
    expect(breakers.state('a@1')).toBe('closed');
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual([
      'closed→open',
      'open→half_open',
      'half_open→closed',
    ]);
  });

  it('opens again when a probe fails, counting the trip', () => {
    const { breakers, call, advance } = setUp();
    for (let i = 0; i < 10; i++) call(false);
    advance(30_000);
    expect(breakers.admits('a@1')).toBe(true);
    breakers.record('a@1', down);
    expect(breakers.state('a@1')).toBe('open');
    expect(breakers.list()[0]).toMatchObject({ trips: 2, reason: 'probe failed: AGENT_FAILED: down' });
  });

  it('does not trip on an agent failing 30% of the time, nor on failures that are not the agent’s', () => {
    const { breakers, call } = setUp();
    for (let i = 0; i < 200; i++) call(i % 10 < 7);
    expect(breakers.state('a@1')).toBe('closed');
    for (let i = 0; i < 20; i++)
      breakers.record('a@1', { code: 'CANCELLED', message: 'x', retryable: false });
    expect(breakers.state('a@1')).toBe('closed');
  });

  it('counts calls in flight as not failed, so fast failures cannot trip it ahead of slow successes', () => {
    const { breakers } = setUp();
    for (let i = 0; i < 100; i++) breakers.started('a@1');
    for (let i = 0; i < 30; i++) breakers.record('a@1', down);
    expect(breakers.state('a@1')).toBe('closed');
  });

  it('forgets outcomes older than the window', () => {
    const { breakers, call, advance } = setUp();
    for (let i = 0; i < 9; i++) call(false);
    advance(61_000);
    call(false);
    expect(breakers.state('a@1')).toBe('closed');
    expect(breakers.failureRate('a@1')).toBe(1);
  });

  it('keeps its state in the store across restarts', async () => {
    const store = new MemoryBreakers();
    const first = setUp(store);
    for (let i = 0; i < 10; i++) first.call(false);
    await Promise.resolve();
    expect(store.rows.get('a@1')).toMatchObject({ state: 'open', trips: 1 });
    const second = setUp(store);
    await second.breakers.start();
    second.breakers.stop();
    expect(second.breakers.state('a@1')).toBe('open');
    expect(second.breakers.admits('a@1')).toBe(false);
  });

  it('bounds the failure rate from below by the evidence', () => {
    expect(wilsonLower(10, 10)).toBeGreaterThan(0.5);
    expect(wilsonLower(9, 10)).toBeLessThan(0.5);
    expect(wilsonLower(30, 100)).toBeLessThan(0.2);
    expect(wilsonLower(0, 0)).toBe(0);
  });
});
