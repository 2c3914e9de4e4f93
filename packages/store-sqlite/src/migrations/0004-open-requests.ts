import type { Migration } from '../migrations.js';

/**
 * The open requests for a person's decision (`ApprovalStore`): one row per task asked and not yet decided, so
 * the approvals inbox is one indexed query instead of a walk over every waiting run's event log.
 *
 * - Written by the commit that logs `approval.requested` (replacing the task's earlier request), deleted by the
 *   one that logs `approval.decided` or ends the run; whether the task still waits is read from `tasks` when
 *   listing, so the steps of runs that ask no one write nothing here.
 * - `body` is the request event's body, as `events.body` holds it; `assignee` and `requested_at` are copied
 *   out of it for the indexes. Each index ends in the listing order (request time, run id, task key), so a
 *   page is a range scan that stops at its limit: one for everything, one per assignee. The key serves a run's
 *   requests and the deletes.
 * - Requests that were open before this version are copied from the event log of the unfinished runs (their
 *   latest request per task that no decision followed). The final statuses are spelled out: a shipped
 *   migration never changes.
 */
export const openRequests: Migration = {
  version: 4,
  name: 'open-requests',
  sql: `
    CREATE TABLE open_requests (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      task_key TEXT NOT NULL,
      seq INTEGER NOT NULL,
      requested_at INTEGER NOT NULL,
      assignee TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (run_id, task_key)
    ) WITHOUT ROWID;
    CREATE INDEX open_requests_time ON open_requests (requested_at, run_id, task_key);
    CREATE INDEX open_requests_assignee ON open_requests (assignee, requested_at, run_id, task_key);

    INSERT INTO open_requests (run_id, task_key, seq, requested_at, assignee, body)
    SELECT e.run_id, json_extract(e.body, '$.taskKey'), e.seq, e.at, json_extract(e.body, '$.assignee'), e.body
    FROM runs r JOIN events e ON e.run_id = r.id
    WHERE r.status NOT IN ('completed', 'failed', 'cancelled', 'rolled_back', 'rollback_failed')
      AND e.type = 'approval.requested'
      AND NOT EXISTS (
        SELECT 1 FROM events later
        WHERE later.run_id = e.run_id AND later.seq > e.seq
          AND later.type IN ('approval.requested', 'approval.decided')
          AND json_extract(later.body, '$.taskKey') = json_extract(e.body, '$.taskKey'));
  `,
};
