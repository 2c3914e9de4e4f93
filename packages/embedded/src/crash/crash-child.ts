/**
 * The process the crash test kills: opens an embedded Baton in the given data directory (resuming whatever
 * runs are unfinished there), starts the runs it is told to if they were never started, and exits when every
 * run is finished. Arguments: dataDir logFile runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBaton } from '../create-baton.js';
import { CRASH_WORKFLOW, crashStep } from './crash-workload.js';

const [dataDir, logFile, runsArg] = process.argv.slice(2);
if (!dataDir || !logFile || !runsArg) throw new Error('usage: crash-child <dataDir> <logFile> <runs>');
const runs = Number(runsArg);
const startedMarker = join(dataDir, 'runs-started');

// A modest concurrency keeps work in flight for a while, so kills land in the middle of it.
const baton = await createBaton({ dataDir, concurrency: 16, agents: [crashStep(logFile)] });
if (!existsSync(startedMarker)) {
  const workflow = baton.parseWorkflow(CRASH_WORKFLOW);
  for (let n = 0; n < runs; n++) await baton.startRun(workflow, { n });
  writeFileSync(startedMarker, 'yes');
}
process.stdout.write('ready\n');
for (;;) {
  const open = await baton.listRuns({ status: ['queued', 'running', 'waiting', 'paused'], limit: 1 });
  if (open.length === 0) break;
  await baton.waitForRun(open[0]?.id ?? '');
}
await baton.close();
process.stdout.write('done\n');
