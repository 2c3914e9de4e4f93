import type { RunStatus } from '@baton/core';
import { styles, type CliIo } from './io.js';

/** Every run status, in the order a run passes through them; `runs list --status` accepts these. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'paused',
  'waiting',
  'rolling_back',
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
  'rollback_failed',
];

/**
 * The colour of a run or task status: green when the work got done, red when it did not, yellow when it waits
 * for someone or is being undone. A rolled-back run is yellow, not red: nothing is left half done.
 */
export function statusColour(io: CliIo, status: string): (text: string) => string {
  const s = styles(io);
  switch (status) {
    case 'completed':
    case 'succeeded':
      return s.green;
    case 'failed':
    case 'cancelled':
    case 'rollback_failed':
      return s.red;
    case 'waiting':
    case 'paused':
    case 'rolling_back':
    case 'rolled_back':
      return s.yellow;
    default:
      return (t) => t;
  }
}
