import { pathToFileURL } from 'node:url';
import type { BenchResult } from '../measure.js';
import { printResults } from './common.js';
import { runLangGraphBench } from './langgraph-bench.js';
import { runMastraBench } from './mastra-bench.js';

/**
 * The engine suite's W1–W4 on two peers in this process's machine: LangGraph.js and Mastra, each durable (on a
 * SQLite file) and in memory. Peers have no budget: every figure is reported as met, for comparison only.
 */
export async function runPeerBench(options: { quick?: boolean } = {}): Promise<BenchResult[]> {
  return [...(await runLangGraphBench(options)), ...(await runMastraBench(options))];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await runPeerBench({ quick: process.argv.includes('--quick') }));
}
