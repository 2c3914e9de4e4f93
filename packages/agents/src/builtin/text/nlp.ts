import { createRequire } from 'node:module';
import type nlpType from 'compromise';

type Nlp = typeof nlpType;

const require = createRequire(import.meta.url);
let loaded: Nlp | undefined;

/**
 * compromise, loaded on first use. Its lexicon costs about 40 MB of memory; a process that never runs a text
 * agent (a worker for other agents, a benchmark, a CLI listing runs) never pays for it.
 */
export function nlp(): Nlp {
  loaded ??= require('compromise') as Nlp;
  return loaded;
}
