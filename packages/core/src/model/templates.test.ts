import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../errors/errors.js';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { validateAgentDefinition } from '../validate/validate-agent.js';
import { validateWorkflow } from '../validate/validate-workflow.js';
import { AgentDefinitionSchema, type AgentDefinition } from './agent-schema.js';
import type { AgentRef, WorkflowNode } from './node-schema.js';
import { buildWorkflowGraph } from './workflow-graph.js';
import { WorkflowSchema, type Workflow } from './workflow-schema.js';

/** The shipped templates, their agents and their sample inputs, read from the repository root. */
const root = join(import.meta.dirname, '..', '..', '..', '..');
const templatesDir = join(root, 'templates');
const agentsDir = join(templatesDir, '../packages/agents/definitions');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

const templateFiles = jsonFiles(templatesDir);
const agentFiles = jsonFiles(agentsDir);
const documents = templateFiles.map((file) => ({ file, document: readJson(join(templatesDir, file)) }));
const agents: AgentDefinition[] = agentFiles.map((file) =>
  AgentDefinitionSchema.parse(readJson(join(agentsDir, file))),
);
const workflows: Workflow[] = documents.map(({ document }) => WorkflowSchema.parse(document));

/** A problem as one readable line, so a failing assertion shows what to fix. */
function line(problem: Problem): string {
  return `${problem.severity} ${problem.code} ${problem.path}: ${problem.message}`;
}

function allNodes(workflow: Workflow): WorkflowNode[] {
  return [...buildWorkflowGraph(workflow).nodes.values()].map((entry) => entry.node);
}

/** Every agent a workflow names: pinned agents, their fallbacks and compensation agents. */
function agentRefs(workflow: Workflow): { node: string; ref: AgentRef }[] {
  return allNodes(workflow).flatMap((node) => [
    ...(node.type === 'agent' && node.agent ? [{ node: node.id, ref: node.agent }] : []),
    ...(node.type === 'agent' ? (node.fallbacks ?? []).map((ref) => ({ node: node.id, ref })) : []),
    ...(node.compensation?.type === 'agent' ? [{ node: node.id, ref: node.compensation.agent }] : []),
  ]);
}

describe('workflow templates', () => {
  it('ships the five workflows of the spec', () => {
    expect(templateFiles).toEqual([
      'engineering-cicd.json',
      'finance-reporting.json',
      'procurement.json',
      'rfp-response.json',
      'sales-deal.json',
    ]);
  });

  it.each(documents)('$file parses as a workflow named after its file', ({ file, document }) => {
    const workflow = WorkflowSchema.parse(document);
    expect(workflow.id).toBe(file.replace(/\.json$/, ''));
    expect(workflow.version).toBe('1.0.0');
    expect(workflow.$schema).toBe('../docs/workflow.schema.json');
    expect(workflow.description.length).toBeGreaterThan(80);
    expect(workflow.tags.length).toBeGreaterThan(0);
    expect(Object.keys(workflow.outputs).length).toBeGreaterThan(0);
  });

  it.each(documents)('$file gives every node a name and a canvas position', ({ document }) => {
    const unplaced = allNodes(WorkflowSchema.parse(document)).filter((n) => !n.name || !n.position);
    expect(unplaced.map((n) => n.id)).toEqual([]);
  });

  it.each(documents)('$file describes and requires its inputs', ({ document }) => {
    const { inputs } = WorkflowSchema.parse(document);
    const properties = inputs['properties'] as Record<string, { description?: string }>;
    expect(Array.isArray(inputs['required']) && inputs['required'].length > 0).toBe(true);
    const undescribed = Object.entries(properties).filter(([, schema]) => !schema.description);
    expect(undescribed.map(([name]) => name)).toEqual([]);
  });

  it.each(documents)('$file calls only agents that are defined next to it', ({ document }) => {
    const unresolved = agentRefs(WorkflowSchema.parse(document)).filter(({ ref }) => {
      const versions = agents.filter((a) => a.id === ref.id).map((a) => a.version);
      return ref.version === undefined
        ? versions.length === 0
        : semver.maxSatisfying(versions, ref.version) === null;
    });
    expect(unresolved).toEqual([]);
  });

  it.each(documents)(
    '$file validates against the template agents without a single problem',
    ({ document }) => {
      const result = validateWorkflow(document, { agents: new AgentCatalog(agents) });
      expect(result.problems.map(line)).toEqual([]);
      expect(result.ok).toBe(true);
    },
  );

  it('fit the published JSON Schemas that editors check them with', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const workflowSchema = ajv.compile(readJson(join(root, 'docs', 'workflow.schema.json')) as object);
    const agentSchema = ajv.compile(readJson(join(root, 'docs', 'agent.schema.json')) as object);
    for (const { file, document } of documents) {
      expect(workflowSchema(document), `${file}: ${JSON.stringify(workflowSchema.errors)}`).toBe(true);
    }
    for (const file of agentFiles) {
      expect(
        agentSchema(readJson(join(agentsDir, file))),
        `${file}: ${JSON.stringify(agentSchema.errors)}`,
      ).toBe(true);
    }
  });

  it('uses every node type and failure feature across the templates', () => {
    const nodes = workflows.flatMap(allNodes);
    const types = new Set(nodes.map((n) => n.type));
    expect([...types].sort()).toEqual([
      'agent',
      'approval',
      'conditional',
      'emit',
      'loop',
      'parallel',
      'transform',
      'wait',
    ]);
    const has = (test: (n: WorkflowNode) => boolean): boolean => nodes.some(test);
    expect(has((n) => n.type === 'conditional' && n.condition !== undefined)).toBe(true);
    expect(has((n) => n.type === 'conditional' && n.cases !== undefined)).toBe(true);
    expect(has((n) => n.type === 'parallel' && n.waitFor === 'all')).toBe(true);
    expect(has((n) => n.type === 'loop' && n.forEach !== undefined && n.concurrency > 1)).toBe(true);
    expect(has((n) => n.type === 'wait' && n.durationMs !== undefined)).toBe(true);
    expect(has((n) => n.onError === 'route')).toBe(true);
    expect(has((n) => n.optional === true)).toBe(true);
    expect(has((n) => n.compensation !== undefined)).toBe(true);
    expect(has((n) => n.assign !== undefined)).toBe(true);
    expect(workflows.some((w) => w.policies.onFailure === 'rollback')).toBe(true);
  });
});

describe('template agents', () => {
  it.each(agentFiles)('%s is a built-in agent named after its id', (file) => {
    const agent = AgentDefinitionSchema.parse(readJson(join(agentsDir, file)));
    expect(file).toBe(`${agent.id}.json`);
    expect(agent.id).toMatch(/^builtin\.[a-z][a-z0-9-]*$/);
    expect(agent.kind).toBe('builtin');
    expect(agent.version).toBe('1.0.0');
    expect(agent.createdAt).toBe('2026-01-15T00:00:00Z');
  });

  it.each(agentFiles)('%s validates as an agent definition without a single problem', (file) => {
    const result = validateAgentDefinition(readJson(join(agentsDir, file)));
    expect(result.problems.map(line)).toEqual([]);
  });

  it.each(agents.map((a) => [a.id, a] as const))(
    '%s declares closed schemas that match its input lists',
    (_, agent) => {
      const input = agent.inputSchema ?? {};
      const output = agent.outputSchema ?? {};
      expect(output['additionalProperties']).toBe(false);
      expect(Array.isArray(output['required']) && output['required'].length > 0).toBe(true);
      expect(agent.config.requiredInputs).toEqual(input['required']);
      expect([...agent.config.requiredInputs, ...agent.config.optionalInputs].sort()).toEqual(
        Object.keys(input['properties'] as object).sort(),
      );
      const ajv = new Ajv2020({ strict: true, validateFormats: false });
      expect(() => ajv.compile(input)).not.toThrow();
      expect(() => ajv.compile(output)).not.toThrow();
    },
  );

  it('says which agents only simulate an external system', () => {
    const simulated = agents.filter((a) => a.settings?.['simulated'] === true);
    expect(simulated.map((a) => a.id).sort()).toEqual([
      'builtin.deal-closer',
      'builtin.deployer',
      'builtin.ledger-poster',
      'builtin.purchase-order-issuer',
      'builtin.report-distributor',
      'builtin.test-runner-sim',
    ]);
    for (const agent of simulated) {
      expect(agent.name).toMatch(/\(simulated\)$/);
      expect(agent.description).toMatch(/^Simulates /);
      expect(agent.outputSchema?.['required']).toContain('simulated');
    }
  });

  it('are all used by some template', () => {
    const used = new Set(workflows.flatMap((w) => agentRefs(w).map(({ ref }) => ref.id)));
    expect(agents.map((a) => a.id).filter((id) => !used.has(id))).toEqual([]);
  });
});

describe('sample inputs', () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, useDefaults: true });

  it.each(workflows.map((w) => [w.id, w] as const))(
    'examples/inputs/%s.json fits the template inputs',
    (id, workflow) => {
      const sample = readJson(join(root, 'examples', 'inputs', `${id}.json`));
      const validate = ajv.compile(workflow.inputs);
      expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it('give the RFP template a realistic RFP of about sixty lines', () => {
    const { rfpText } = readJson(join(root, 'examples', 'inputs', 'rfp-response.json')) as {
      rfpText: string;
    };
    const lines = rfpText.split('\n').length;
    expect(lines).toBeGreaterThan(45);
    expect(lines).toBeLessThan(80);
    expect(rfpText).toMatch(/\b(must|shall)\b/);
  });
});
