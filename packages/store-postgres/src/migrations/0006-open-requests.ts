import type { Migration } from '../migrations.js';

/**
 * The open requests for a person's decision (`ApprovalStore`), the same table as the SQLite store's: one row
 * per task asked and not yet decided, so the approvals inbox is one indexed query instead of a walk over every
 * waiting run's event log.
 *
 * - Written by the commit statement itself (see `COMMIT`): a request logged opens or replaces the task's row, a
 *   decision deletes it, a run reaching a final status deletes its rows. Whether the task still waits is read
 *   from `tasks` when listing, so the steps of runs that ask no one write nothing here.
 * - `body` is the request event's body, as `events.body` holds it; `assignee` and `requested_at` are copied out
 *   of it for the indexes. Each index ends in the listing order (request time, run id, task key), so a page is
 *   a range scan that stops at its limit: one for everything, one per assignee. The key serves a run's requests,
 *   the deletes and the cascade from `runs`.
 * - Requests that were open before this version are copied from the event log of the unfinished runs (their
 *   latest request per task that no decision followed), in the migration's transaction. The final statuses are
 *   spelled out: a shipped migration never changes.
 */
export const openRequests: Migration = {
  version: 6,
  name: 'open-requests',
  sql: `
    CREATE TABLE open_requests (
      run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      task_key text COLLATE "C" NOT NULL,
      seq integer NOT NULL,
      requested_at double precision NOT NULL,
      assignee text COLLATE "C" NOT NULL,
      body jsonb NOT NULL,
      CONSTRAINT open_requests_pkey PRIMARY KEY (run_id, task_key)
    );
    CREATE INDEX open_requests_time ON open_requests (requested_at, run_id, task_key);
    CREATE INDEX open_requests_assignee ON open_requests (assignee, requested_at, run_id, task_key);

    INSERT INTO open_requests (run_id, task_key, seq, requested_at, assignee, body)
    SELECT e.run_id, e.body ->> 'taskKey', e.seq, e.at, e.body ->> 'assignee', e.body
    FROM runs r JOIN events e ON e.run_id = r.id
    WHERE r.status NOT IN ('completed', 'failed', 'cancelled', 'rolled_back', 'rollback_failed')
      AND e.type = 'approval.requested'
      AND NOT EXISTS (
        SELECT FROM events later
        WHERE later.run_id = e.run_id AND later.seq > e.seq
          AND later.type IN ('approval.requested', 'approval.decided')
          AND later.body ->> 'taskKey' = e.body ->> 'taskKey');
  `,
};
