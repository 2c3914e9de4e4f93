import { edgeTaken, type NodeInfo } from './compiled-workflow.js';
import type { DecisionStep } from './decision-step.js';
import type { TaskStatus } from './lifecycle.js';
import type { ErrorInfo, TaskRecord } from './records.js';
import { TaskState, type ScopeInstance } from './run-state.js';
import { recordEntry } from './scope-view.js';

/**
 * Readiness with dead-path elimination (docs/adr/0003): per scope instance, each node counts its settled and
 * its taken incoming edges, so a task settling costs one visit per outgoing edge and nothing is rescanned.
 */

/** Starts a scope instance: its entry nodes become ready. */
export function startInstance(step: DecisionStep, instance: ScopeInstance): void {
  if (instance.scope.nodes.length === 0) {
    step.push({ kind: 'scopeDone', instance });
    return;
  }
  for (const info of instance.scope.entries) makeReady(step, instance, info);
}

function newTask(step: DecisionStep, instance: ScopeInstance, info: NodeInfo): TaskState {
  const row: TaskRecord = {
    runId: step.state.run.id,
    key: instance.prefix + info.id,
    nodeId: info.id,
    status: 'pending',
    attempt: 1,
    costUsd: 0,
  };
  const task = new TaskState(row, info, instance);
  step.state.add(task);
  return task;
}

/** Creates the task of `info` in `instance` as ready and queues it to run. */
export function makeReady(step: DecisionStep, instance: ScopeInstance, info: NodeInfo): TaskState {
  const task = newTask(step, instance, info);
  step.setTaskStatus(task, 'ready');
  task.row.readyAt = step.now;
  step.emit({ type: 'task.ready', taskKey: task.row.key, nodeId: info.id });
  step.push({ kind: 'activate', task });
  return task;
}

/** Makes a waiting task ready again for its next attempt (after a retry back-off). */
export function readyNextAttempt(step: DecisionStep, task: TaskState): void {
  const { row } = task;
  step.setTaskStatus(task, 'ready');
  row.attempt += 1;
  row.readyAt = step.now;
  delete row.wakeAt;
  delete row.error;
  // A ready agent task's stored input is an operator's edit; the last attempt's input is not one.
  if (task.info.node.type === 'agent') delete row.input;
  task.waitingFor = undefined;
  step.emit({ type: 'task.ready', taskKey: row.key, nodeId: row.nodeId });
  step.push({ kind: 'activate', task });
}

function skip(step: DecisionStep, instance: ScopeInstance, info: NodeInfo): void {
  const task = newTask(step, instance, info);
  step.setTaskStatus(task, 'skipped');
  task.row.endedAt = step.now;
  step.emit({ type: 'task.skipped', taskKey: task.row.key, nodeId: info.id, reason: 'dead_path' });
  recordEntry(task);
  step.push({ kind: 'settled', task });
}

/** What a task settles with. */
export interface Settlement {
  status: Extract<TaskStatus, 'succeeded' | 'failed'>;
  output: unknown;
  /** The port it leaves through; undefined for a failure that nothing handles (its successors never run). */
  port: string | undefined;
  error?: ErrorInfo;
}

/** Settles a task: row, `nodes` entry, and — when it leaves through a port — its outgoing edges. */
export function settle(step: DecisionStep, task: TaskState, settlement: Settlement): void {
  const { row } = task;
  step.setTaskStatus(task, settlement.status);
  row.output = settlement.output;
  row.endedAt = step.now;
  row.startedAt ??= step.now;
  delete row.wakeAt;
  if (settlement.port === undefined) delete row.port;
  else row.port = settlement.port;
  if (settlement.error === undefined) delete row.error;
  else row.error = settlement.error;
  task.waitingFor = undefined;
  recordEntry(task);
  if (settlement.port !== undefined) step.push({ kind: 'settled', task });
  else countSettled(step, task.instance);
}

/** Cancels a task that has not settled; `skipReady` skips a task that never started instead. */
export function cancel(step: DecisionStep, task: TaskState, reason: string, skipReady: boolean): void {
  const { row } = task;
  if (task.waitingFor === 'event') {
    const name = task.info.node.type === 'wait' ? task.info.node.event?.name : undefined;
    if (name !== undefined) step.state.removeWaiter(name, task);
  }
  const wasRunning = row.status === 'running' && !task.info.container;
  const childRun = task.waitingFor === 'child';
  if (row.status === 'ready' && skipReady) {
    step.setTaskStatus(task, 'skipped');
    step.emit({ type: 'task.skipped', taskKey: row.key, nodeId: row.nodeId, reason: 'cancelled_branch' });
  } else {
    step.setTaskStatus(task, 'cancelled');
    step.emit({ type: 'task.cancelled', taskKey: row.key, nodeId: row.nodeId, reason });
  }
  if (wasRunning || childRun) step.commands.push({ type: 'cancelTask', taskKey: row.key, reason });
  row.endedAt = step.now;
  delete row.wakeAt;
  task.waitingFor = undefined;
  countSettled(step, task.instance);
}

/** Counts a settled task's outgoing edges; successors whose incoming edges all settled become ready or skipped. */
export function propagate(step: DecisionStep, task: TaskState): void {
  const instance = task.instance;
  if (instance.status !== 'live') return;
  const port = task.row.port;
  const { settledIn, takenIn } = instance;
  for (const edge of task.info.out) {
    const to = edge.to;
    const i = to.index;
    const settled = ++settledIn[i]!;
    if (port !== undefined && edgeTaken(task.info, edge.port, port)) takenIn[i]!++;
    if (settled === to.indegree) {
      if (takenIn[i]! > 0) makeReady(step, instance, to);
      else skip(step, instance, to);
    }
  }
  countSettled(step, instance);
}

function countSettled(step: DecisionStep, instance: ScopeInstance): void {
  if (--instance.unsettled === 0 && instance.status === 'live') step.push({ kind: 'scopeDone', instance });
}

/**
 * A branch's or an iteration's output: its `output` expression when it has one (evaluated by the caller),
 * else the output of its last node in topological order that succeeded.
 */
export function lastOutput(instance: ScopeInstance, byKey: ReadonlyMap<string, TaskState>): unknown {
  const order = instance.scope.order;
  for (let i = order.length - 1; i >= 0; i--) {
    const task = byKey.get(instance.prefix + (order[i] as NodeInfo).id);
    if (task?.row.status === 'succeeded') return task.row.output ?? null;
  }
  return null;
}
