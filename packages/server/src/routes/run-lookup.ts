import { NotFoundError, type RunRecord, type Workflow } from '@baton/core';
import type { Baton, RunDetails } from '@baton/embedded';

/**
 * Who a request acts as when its body names nobody. Until sign-in and API keys exist, the API cannot tell who
 * calls it, so the audit trail says `api`; once it can, the caller's identity takes this place.
 */
export const DEFAULT_ACTOR = 'api';

/** A run with its tasks and figures, or `NotFoundError`. */
export async function runDetails(baton: Baton, runId: string): Promise<RunDetails> {
  const details = await baton.getRun(runId);
  if (!details) throw new NotFoundError(`no run "${runId}"`, { details: { runId } });
  return details;
}

/** The run as it is now, after a control was applied: what a control route answers with. */
export async function runNow(baton: Baton, runId: string): Promise<{ run: RunRecord }> {
  return { run: (await runDetails(baton, runId)).run };
}

/** A saved workflow version (the newest without `version`), or `NotFoundError`. */
export async function savedWorkflow(baton: Baton, id: string, version?: string): Promise<Workflow> {
  const workflow = await baton.getWorkflow(id, version);
  if (workflow) return workflow;
  const named = version === undefined ? `workflow "${id}"` : `workflow ${id}@${version}`;
  throw new NotFoundError(`no ${named} is saved`, {
    details: { id, ...(version === undefined ? {} : { version }) },
  });
}
