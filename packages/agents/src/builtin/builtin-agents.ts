import type { BuiltinAgent } from './builtin-agent.js';
import { budgetChecker } from './budget-checker.js';
import { codeReviewer } from './code-reviewer.js';
import { dataCollector } from './data-collector.js';
import { dealCloser } from './deal-closer.js';
import { deployer } from './deployer.js';
import { documentAssembler } from './document-assembler.js';
import { financialAnalyzer } from './financial-analyzer.js';
import { fulfillmentScheduler } from './fulfillment-scheduler.js';
import { keywordExtractor } from './keyword-extractor.js';
import { leadScorer } from './lead-scorer.js';
import { ledgerPoster } from './ledger-poster.js';
import { legalReviewer } from './legal-reviewer.js';
import { pricingCalculator } from './pricing-calculator.js';
import { proposalWriter } from './proposal-writer.js';
import { purchaseOrderIssuer } from './purchase-order-issuer.js';
import { reportDistributor } from './report-distributor.js';
import { reportGenerator } from './report-generator.js';
import { requirementsExtractor } from './requirements-extractor.js';
import { rfpAnalyzer } from './rfp-analyzer.js';
import { securityScanner } from './security-scanner.js';
import { solutionResearcher } from './solution-researcher.js';
import { summarizer } from './summarizer.js';
import { technicalWriter } from './technical-writer.js';
import { testRunnerSim } from './test-runner-sim.js';

/**
 * The implementations of the built-in agents. Their definitions (names, schemas, performance, settings) live
 * in this package's `definitions/<id>.json` (`builtinAgentDefinitions()`) and are paired with these by
 * id and major version.
 */
export const BUILTIN_AGENTS: readonly BuiltinAgent[] = [
  rfpAnalyzer,
  requirementsExtractor,
  keywordExtractor,
  summarizer,
  solutionResearcher,
  technicalWriter,
  pricingCalculator,
  legalReviewer,
  documentAssembler,
  budgetChecker,
  fulfillmentScheduler,
  leadScorer,
  proposalWriter,
  codeReviewer,
  securityScanner,
  dataCollector,
  financialAnalyzer,
  reportGenerator,
  purchaseOrderIssuer,
  ledgerPoster,
  dealCloser,
  testRunnerSim,
  deployer,
  reportDistributor,
];

/** The ids of the built-in agents this package implements, e.g. `builtin.summarizer`. */
export const BUILTIN_AGENT_IDS: readonly string[] = BUILTIN_AGENTS.map((agent) => agent.id);
