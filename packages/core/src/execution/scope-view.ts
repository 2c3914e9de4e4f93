import type { EngineRunState, NodeEntry, ScopeInstance, TaskState } from './run-state.js';

/** What expressions in `instance` read: `input`, `vars`, `run`, `nodes`, `loop`, plus `extra` (`output`, `event`). */
export function expressionScope(
  state: EngineRunState,
  instance: ScopeInstance,
  extra?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { run } = state;
  const scope: Record<string, unknown> = {
    input: run.input,
    vars: run.vars,
    run: state.runRoot(),
    nodes: instance.view,
  };
  if (instance.loop) scope['loop'] = instance.loop;
  if (extra) Object.assign(scope, extra);
  return scope;
}

/**
 * Makes a settled task visible to expressions as `nodes.<id>`: in its own instance, in every enclosing
 * instance (after a loop or a parallel node, `nodes.<inner node>` reads its latest settled task), and in every
 * live instance below those — except sibling iterations of the same loop, which have a task of their own for
 * that node. Costs one property write per instance that can read it, so a step costs the same however much
 * the run has done before.
 */
export function recordEntry(task: TaskState): void {
  const { row } = task;
  const entry: NodeEntry =
    row.error === undefined
      ? { output: row.output ?? null, status: row.status }
      : { output: row.output ?? null, status: row.status, error: row.error };
  const id = task.info.id;
  let from: ScopeInstance | undefined;
  for (let at: ScopeInstance | undefined = task.instance; at; at = at.parent) {
    at.view[id] = entry;
    if (at.children.size > 0) writeDown(at, id, entry, from);
    from = at;
  }
}

function writeDown(
  instance: ScopeInstance,
  id: string,
  entry: NodeEntry,
  from: ScopeInstance | undefined,
): void {
  for (const child of instance.children) {
    if (child === from) continue;
    // Another iteration of the same loop has its own task for every node below it.
    if (from !== undefined && child.scope === from.scope) continue;
    child.view[id] = entry;
    if (child.children.size > 0) writeDown(child, id, entry, undefined);
  }
}
