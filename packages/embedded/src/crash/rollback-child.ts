/**
 * The process the rollback crash test kills: opens an embedded Baton in the given data directory, starts the
 * saga runs and prints `ready`; its agents hold each run at its `holdPoint` until the process is killed.
 * Exits if the parent goes away (its stdin closes), so a failed test leaves no process behind.
 * Arguments: dataDir journal runs.
 */
import { createBaton } from '../create-baton.js';
import { SAGA_WORKFLOW, sagaAgents } from './rollback-workload.js';

const [dataDir, journal, runsArg] = process.argv.slice(2);
if (!dataDir || !journal || !runsArg) throw new Error('usage: rollback-child <dataDir> <journal> <runs>');

process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

const baton = await createBaton({ dataDir, agents: sagaAgents(journal, true) });
const workflow = baton.parseWorkflow(SAGA_WORKFLOW);
await Promise.all(Array.from({ length: Number(runsArg) }, (_, n) => baton.startRun(workflow, { n })));
process.stdout.write('ready\n');
