import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  type CommandResult,
  type CommandStore,
  type OperatorInput,
  type RunCommand,
  type Store,
} from '@baton/core';
import { sampleEvent, sampleRun, sampleTask } from './store-fixtures.js';
import { useStoreFixture, type MakeStore } from './store-harness.js';

const NO_REOPEN = 'the store keeps nothing across a restart (its fixture has no reopen)';

const applied: CommandResult = { ok: true };
const refusal = (): CommandResult => ({
  ok: false,
  error: {
    code: 'CONFLICT',
    message: 'task "approve" is not waiting for a person',
    retryable: false,
    details: { status: 'running' },
  },
});
const refused = refusal();

const pause: OperatorInput = { type: 'pause', by: 'ana', reason: 'Ünïcode and "quotes"' };
const setVars: OperatorInput = {
  type: 'vars.set',
  vars: { limit: 5, nested: { list: [1, null, 'x'] } },
  by: 'ana',
};
const skip: OperatorInput = { type: 'task.skip', taskKey: 'approve', output: null, reason: 'done by hand' };

/**
 * Registers the `CommandStore` contract suite for a store that keeps the operator-command inbox: increasing
 * ids, unsettled commands oldest first, settle-once, and settlements that commit atomically with a `commit`'s
 * deltas. Stores that implement it run it beside the `Store` contract.
 */
export function commandStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the CommandStore contract`, () => {
    const h = useStoreFixture(makeStore);
    const store = (): Store & CommandStore => h.store as Store & CommandStore;

    /** Sends the inputs, in order, for the runs named alongside; returns the commands as the store should. */
    async function enqueue(...sent: [string, OperatorInput][]): Promise<RunCommand[]> {
      const commands: RunCommand[] = [];
      for (const [i, [runId, input]] of sent.entries()) {
        const at = 1_000 + i;
        commands.push({ id: await store().enqueueCommand(runId, input, at), runId, input, at });
      }
      return commands;
    }

    it('gives each command a larger id than the one before', async () => {
      const ids = (await enqueue(['r1', pause], ['r2', pause], ['r1', setVars])).map((c) => c.id);
      expect(ids.every((id) => Number.isSafeInteger(id))).toBe(true);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(3);
    });

    it('returns the unsettled commands of every run oldest first, exactly as sent', async () => {
      const commands = await enqueue(['r1', pause], ['r2', setVars], ['r1', skip]);
      expect(await store().pendingCommands()).toStrictEqual(commands);
      expect(await store().pendingCommands(2)).toStrictEqual(commands.slice(0, 2));
    });

    it('returns at most 100 pending commands when no limit is given', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 101; i++) ids.push(await store().enqueueCommand('r1', pause, i));
      expect((await store().pendingCommands()).map((c) => c.id)).toEqual(ids.slice(0, 100));
    });

    it('returns the unsettled commands of one run oldest first', async () => {
      const [first, , third] = await enqueue(['r1', pause], ['r2', setVars], ['r1', skip]);
      expect(await store().runCommands('r1')).toStrictEqual([first, third]);
      expect(await store().runCommands('r3')).toEqual([]);
    });

    it('settles a command once: it leaves the inbox and keeps its first result', async () => {
      const [first, second] = await enqueue(['r1', pause], ['r1', setVars]);
      await store().settleCommand({ id: first!.id, result: refused, at: 2_000 });
      await store().settleCommand({ id: first!.id, result: applied, at: 3_000 });
      expect(await store().commandResult(first!.id)).toStrictEqual({ result: refused, settledAt: 2_000 });
      expect(await store().pendingCommands()).toStrictEqual([second]);
      expect(await store().runCommands('r1')).toStrictEqual([second]);
    });

    it('has no result for an unsettled or unknown command, and settling an unknown one changes nothing', async () => {
      const [command] = await enqueue(['r1', pause]);
      expect(await store().commandResult(command!.id)).toBeUndefined();
      await store().settleCommand({ id: command!.id + 1_000, result: applied, at: 2_000 });
      expect(await store().commandResult(command!.id + 1_000)).toBeUndefined();
      expect(await store().pendingCommands()).toStrictEqual([command]);
    });

    it('settles the commands of a commit with the rest of its deltas', async () => {
      await store().createRun(sampleRun('r1'), [], [sampleEvent('r1', 1)]);
      const [first, second, third] = await enqueue(['r1', pause], ['r1', setVars], ['r1', skip]);
      await store().commit([
        {
          runId: 'r1',
          run: { status: 'paused' },
          tasks: [],
          events: [sampleEvent('r1', 2)],
          commands: [{ id: first!.id, result: applied, at: 2_000 }],
        },
        { runId: 'r1', tasks: [], events: [], commands: [{ id: second!.id, result: refused, at: 2_001 }] },
      ]);
      expect((await store().getRun('r1'))?.status).toBe('paused');
      expect(await store().commandResult(first!.id)).toStrictEqual({ result: applied, settledAt: 2_000 });
      expect(await store().commandResult(second!.id)).toStrictEqual({ result: refused, settledAt: 2_001 });
      expect(await store().pendingCommands()).toStrictEqual([third]);
    });

    it('settles commands by a commit that carries nothing else', async () => {
      await store().createRun(sampleRun('r1'), [], []);
      const [command] = await enqueue(['r1', pause]);
      await store().commit([
        { runId: 'r1', tasks: [], events: [], commands: [{ id: command!.id, result: applied, at: 2_000 }] },
      ]);
      expect(await store().commandResult(command!.id)).toStrictEqual({ result: applied, settledAt: 2_000 });
    });

    it('keeps the first result when a commit settles a command again, or twice in one call', async () => {
      await store().createRun(sampleRun('r1'), [], []);
      const [first, second] = await enqueue(['r1', pause], ['r1', setVars]);
      await store().settleCommand({ id: first!.id, result: refused, at: 2_000 });
      await store().commit([
        {
          runId: 'r1',
          tasks: [],
          events: [sampleEvent('r1', 1)],
          commands: [
            { id: first!.id, result: applied, at: 3_000 },
            { id: second!.id, result: applied, at: 3_000 },
          ],
        },
        { runId: 'r1', tasks: [], events: [], commands: [{ id: second!.id, result: refused, at: 3_001 }] },
      ]);
      expect(await store().commandResult(first!.id)).toStrictEqual({ result: refused, settledAt: 2_000 });
      expect(await store().commandResult(second!.id)).toStrictEqual({ result: applied, settledAt: 3_000 });
    });

    it('leaves the commands unsettled when the commit fails on a repeated event seq', async () => {
      await store().createRun(sampleRun('r1'), [], [sampleEvent('r1', 1)]);
      const [command] = await enqueue(['r1', pause]);
      await expect(
        store().commit([
          {
            runId: 'r1',
            run: { status: 'paused' },
            tasks: [sampleTask('r1', 'extract')],
            events: [sampleEvent('r1', 1)],
            commands: [{ id: command!.id, result: applied, at: 2_000 }],
          },
        ]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store().commandResult(command!.id)).toBeUndefined();
      expect(await store().pendingCommands()).toStrictEqual([command]);
      expect(await store().loadRun('r1')).toEqual({ run: sampleRun('r1'), tasks: [] });
    });

    it('leaves the commands unsettled when another delta of the commit names a missing run', async () => {
      await store().createRun(sampleRun('r1'), [], []);
      const [command] = await enqueue(['r1', pause]);
      await expect(
        store().commit([
          { runId: 'r1', tasks: [], events: [], commands: [{ id: command!.id, result: applied, at: 2_000 }] },
          { runId: 'ghost', run: { priority: 1 }, tasks: [], events: [] },
        ]),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().runCommands('r1')).toStrictEqual([command]);
    });

    it('returns copies: changing what was sent or read changes nothing stored', async () => {
      const input = { type: 'vars.set', vars: { limit: 5 } } satisfies OperatorInput;
      const id = await store().enqueueCommand('r1', input, 1_000);
      input.vars.limit = 6;
      const [read] = await store().pendingCommands();
      (read!.input as typeof input).vars.limit = 7;
      expect((await store().runCommands('r1'))[0]?.input).toEqual({ type: 'vars.set', vars: { limit: 5 } });

      const sent = refusal();
      await store().settleCommand({ id, result: sent, at: 2_000 });
      if (!sent.ok) sent.error.message = 'changed';
      const settled = await store().commandResult(id);
      if (settled?.result.ok === false) settled.result.error.message = 'changed again';
      expect(await store().commandResult(id)).toStrictEqual({ result: refusal(), settledAt: 2_000 });
    });

    it('keeps commands, results and the id order across a reopen', async (context) => {
      const reopen = h.reopen;
      if (reopen === undefined) return context.skip(NO_REOPEN);
      const [first, second] = await enqueue(['r1', pause], ['r2', setVars]);
      await store().settleCommand({ id: first!.id, result: applied, at: 2_000 });
      const again = (await reopen()) as Store & CommandStore;
      expect(await again.commandResult(first!.id)).toStrictEqual({ result: applied, settledAt: 2_000 });
      expect(await again.pendingCommands()).toStrictEqual([second]);
      expect(await again.enqueueCommand('r1', pause, 3_000)).toBeGreaterThan(second!.id);
    });
  });
}
