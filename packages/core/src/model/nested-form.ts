import { DefinitionError, type Problem } from '../errors/errors.js';
import type { Edge } from './node-schema.js';
import type { WorkflowInput } from './workflow-schema.js';

/**
 * The spec's nested workflow form (FR-019.2): `nodes` is a list that runs in order, a conditional holds its
 * branches (`trueBranch`, `falseBranch`), a parallel node holds lists of lists (`branches`), an agent node
 * carries `agentId`, `config` and `outputs`, an approval carries `approvalMessage` and `timeout`. Our own
 * node types may be written nested too: a loop's `body` is a list, a switch's `cases[].branch` and
 * `defaultBranch` are lists, and any node may hold an `errorBranch` (the nodes on its "error" port).
 * Every branch joins into the step that follows its container.
 */

type NodeInput = WorkflowInput['nodes'][number];
type Fields = Record<string, unknown>;

/** Where control leaves a converted fragment: a node and the port it leaves by. */
interface Exit {
  readonly from: string;
  readonly port?: string;
}

/** A sub-graph being filled: the top level, a loop body or a parallel branch. */
interface Scope {
  readonly nodes: NodeInput[];
  readonly edges: Edge[];
}

const PROBLEM_CODE = 'NESTED_FORM';
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksNested(node: unknown): boolean {
  if (!isRecord(node)) return false;
  const markers = [
    'trueBranch',
    'falseBranch',
    'defaultBranch',
    'errorBranch',
    'agentId',
    'config',
    'approvalMessage',
  ];
  if (markers.some((key) => key in node)) return true;
  if (Array.isArray(node.body)) return true;
  return Array.isArray(node.branches) && node.branches.some((branch) => Array.isArray(branch));
}

/**
 * True when `document` is written in the nested form: it has no top-level `edges` and some node carries a
 * nested-only field. Use it on import to decide whether to call {@link fromNestedForm}.
 */
export function isNestedForm(document: unknown): boolean {
  if (!isRecord(document) || 'edges' in document || !Array.isArray(document.nodes)) return false;
  return document.nodes.some(looksNested);
}

/**
 * Converts a nested-form workflow into the graph form: sequences become edges, containers keep their
 * sub-graphs, spec fields are mapped to ours. Nothing the nested form says is dropped. Missing node ids are
 * generated from the agent id's last segment or the node type (`summarizer`, `conditional_1`).
 *
 * The result is not validated: parse it with `WorkflowSchema` and validate it like any other document.
 * @throws DefinitionError with problems of code `NESTED_FORM` (paths into `document`) on shapes it cannot convert.
 */
export function fromNestedForm(document: unknown): WorkflowInput {
  return new NestedFormConverter().convert(document);
}

class NestedFormConverter {
  private readonly problems: Problem[] = [];
  private readonly usedIds = new Set<string>();
  private readonly variables: Fields = {};

  convert(document: unknown): WorkflowInput {
    if (!isRecord(document)) {
      this.problem('', 'a workflow must be an object with "name" and "nodes"');
      return this.fail();
    }
    const { nodes, edges, variables, id, name, version, ...rest } = document;
    if (typeof name !== 'string' || name === '') this.problem('name', 'a workflow needs a non-empty "name"');
    if (edges !== undefined && !(Array.isArray(edges) && edges.length === 0)) {
      this.problem(
        'edges',
        'the nested form has no edges: list nodes in the order they run and nest branches',
      );
    }
    if (variables !== undefined && !isRecord(variables))
      this.problem('variables', '"variables" must be an object');
    Object.assign(this.variables, isRecord(variables) ? variables : {});
    this.reserveIds(nodes, 'nodes');

    const top: Scope = { nodes: [], edges: [] };
    this.sequence(nodes, 'nodes', [], top);
    if (Array.isArray(nodes) && nodes.length === 0)
      this.problem('nodes', 'a workflow needs at least one node');
    if (this.problems.length > 0) return this.fail();

    return {
      ...rest,
      id: typeof id === 'string' ? id : slug(name as string),
      name: name as string,
      version: typeof version === 'string' ? version : '1.0.0',
      ...(Object.keys(this.variables).length > 0
        ? { variables: this.variables as WorkflowInput['variables'] }
        : {}),
      nodes: top.nodes,
      edges: top.edges,
    };
  }

  private fail(): never {
    const count = this.problems.length;
    throw new DefinitionError(
      `The nested workflow cannot be converted to the graph form: ${count} problem${count === 1 ? '' : 's'}.`,
      this.problems,
    );
  }

  private problem(path: string, message: string): void {
    this.problems.push({
      code: PROBLEM_CODE,
      path,
      message: path === '' ? message : `${path}: ${message}`,
      severity: 'error',
    });
  }

  /** Collects the ids written in the document first, so generated ids never take one of them. */
  private reserveIds(list: unknown, path: string): void {
    if (!Array.isArray(list)) return;
    list.forEach((node: unknown, i) => {
      if (!isRecord(node)) return;
      const at = `${path}[${i}]`;
      if (typeof node.id === 'string') {
        if (this.usedIds.has(node.id))
          this.problem(`${at}.id`, `duplicate node id "${node.id}"; ids are unique across the workflow`);
        this.usedIds.add(node.id);
      }
      for (const key of ['trueBranch', 'falseBranch', 'defaultBranch', 'errorBranch', 'body']) {
        this.reserveIds(node[key], `${at}.${key}`);
      }
      if (Array.isArray(node.cases)) {
        node.cases.forEach(
          (c: unknown, k) => isRecord(c) && this.reserveIds(c.branch, `${at}.cases[${k}].branch`),
        );
      }
      if (Array.isArray(node.branches)) {
        node.branches.forEach((b: unknown, k) =>
          this.reserveIds(isRecord(b) ? b.nodes : b, `${at}.branches[${k}]${isRecord(b) ? '.nodes' : ''}`),
        );
      }
    });
  }

  private uniqueId(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 100);
    const stem = /^[A-Za-z_]/.test(clean) ? clean : `node_${clean}`;
    let id = stem;
    for (let n = 2; this.usedIds.has(id); n++) id = `${stem}_${n}`;
    this.usedIds.add(id);
    return id;
  }

  private counterId(type: string): string {
    let n = 1;
    while (this.usedIds.has(`${type}_${n}`)) n++;
    return this.uniqueId(`${type}_${n}`);
  }

  /** Converts a list that runs in order; returns where control leaves its last step. */
  private sequence(list: unknown, path: string, incoming: readonly Exit[], scope: Scope): readonly Exit[] {
    if (!Array.isArray(list)) {
      this.problem(path, 'must be a list of nodes');
      return incoming;
    }
    let exits = incoming;
    list.forEach((node: unknown, i) => {
      exits = this.node(node, `${path}[${i}]`, exits, scope);
    });
    return exits;
  }

  /** Converts one node into `scope`, wired after `incoming`; returns its exits. */
  private node(raw: unknown, path: string, incoming: readonly Exit[], scope: Scope): readonly Exit[] {
    if (!isRecord(raw)) {
      this.problem(path, 'a node must be an object with a "type"');
      return incoming;
    }
    const { type, errorBranch, ...fields } = raw;
    if (typeof type !== 'string') {
      this.problem(`${path}.type`, 'a node needs a "type"');
      return incoming;
    }
    if (fields.id !== undefined && typeof fields.id !== 'string')
      this.problem(`${path}.id`, 'must be a string');
    const id = typeof fields.id === 'string' ? fields.id : this.generatedId(type, fields);
    for (const exit of incoming) scope.edges.push(edge(exit, id));

    let exits: readonly Exit[];
    switch (type) {
      case 'agent':
        exits = this.agent(fields, path, id, scope);
        break;
      case 'approval':
        exits = this.approval(fields, path, id, scope);
        break;
      case 'conditional':
        exits = this.conditional(fields, path, id, scope);
        break;
      case 'parallel':
        exits = this.parallel(fields, path, id, scope);
        break;
      case 'loop':
        exits = this.loop(fields, path, id, scope);
        break;
      case 'transform':
      case 'subworkflow':
      case 'wait':
      case 'emit':
        scope.nodes.push({ ...fields, id, type } as NodeInput);
        exits = [{ from: id }];
        break;
      default:
        this.problem(
          `${path}.type`,
          `unknown node type "${type}"; expected agent, conditional, parallel, approval, loop, transform, subworkflow, wait or emit`,
        );
        return incoming;
    }
    if (errorBranch === undefined) return exits;
    const node = scope.nodes.find((n) => n.id === id);
    if (node?.onError !== undefined && node.onError !== 'route') {
      this.problem(
        `${path}.onError`,
        'a node with an "errorBranch" routes its errors there; drop "onError" or set it to "route"',
      );
    }
    if (node) node.onError = 'route';
    return [
      ...exits,
      ...this.sequence(errorBranch, `${path}.errorBranch`, [{ from: id, port: 'error' }], scope),
    ];
  }

  private generatedId(type: string, fields: Fields): string {
    const agentId = isRecord(fields.agent) ? fields.agent.id : fields.agentId;
    if (type === 'agent' && typeof agentId === 'string') {
      const bare = agentId.split('@')[0] ?? '';
      return this.uniqueId(bare.split('.').pop() || 'agent');
    }
    return this.counterId(/^[a-z]+$/.test(type) ? type : 'node');
  }

  /** Sets our field from a spec field (at `specPath`), reporting when the node writes both. */
  private put(fields: Fields, specPath: string, ourKey: string, value: unknown): void {
    if (fields[ourKey] !== undefined) {
      const specKey = specPath.slice(specPath.lastIndexOf('.') + 1);
      this.problem(specPath, `write either "${specKey}" (spec form) or "${ourKey}", not both`);
    }
    fields[ourKey] = value;
  }

  private agent(raw: Fields, path: string, id: string, scope: Scope): readonly Exit[] {
    const { agentId, config, outputs, ...fields } = raw;
    if (agentId !== undefined) {
      const at = typeof agentId === 'string' ? agentId.lastIndexOf('@') : -1;
      if (typeof agentId !== 'string' || agentId === '' || at === 0 || at === agentId.length - 1) {
        this.problem(
          `${path}.agentId`,
          'must be an agent id, optionally with "@version": "builtin.summarizer@1.0.0"',
        );
      }
      const ref =
        typeof agentId === 'string' && at > 0
          ? { id: agentId.slice(0, at), version: agentId.slice(at + 1) }
          : { id: agentId };
      this.put(fields, `${path}.agentId`, 'agent', ref);
    }
    if (config !== undefined && !isRecord(config)) {
      this.problem(`${path}.config`, 'must be an object with inputs, timeout and retryPolicy');
    } else if (config !== undefined) {
      const spec: Record<string, string> = { inputs: 'inputs', timeout: 'timeoutMs', retryPolicy: 'retry' };
      for (const [key, value] of Object.entries(config)) {
        const ourKey = spec[key];
        if (ourKey === undefined) {
          this.problem(
            `${path}.config.${key}`,
            'unknown agent config field; expected inputs, timeout or retryPolicy',
          );
        } else {
          this.put(fields, `${path}.config.${key}`, ourKey, value);
        }
      }
    }
    if (outputs !== undefined)
      fields.assign = this.outputsToAssign(outputs, fields.assign, `${path}.outputs`, id);
    scope.nodes.push({ ...fields, id, type: 'agent' });
    return [{ from: id }];
  }

  /** The spec's `outputs: ["summary"]` stores output fields in workflow variables of the same names. */
  private outputsToAssign(outputs: unknown, assign: unknown, path: string, id: string): Fields {
    const result: Fields = isRecord(assign) ? { ...assign } : {};
    if (!Array.isArray(outputs)) {
      this.problem(path, 'must be a list of variable names');
      return result;
    }
    outputs.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || !ID_PATTERN.test(name)) {
        this.problem(
          `${path}[${i}]`,
          'must be a variable name: a letter or "_" first, then letters, digits, "_" or "-"',
        );
        return;
      }
      if (name in result) this.problem(`${path}[${i}]`, `"${name}" is also set by this node's "assign"`);
      result[name] = PLAIN_NAME.test(name) ? `output.${name}` : `output[${JSON.stringify(name)}]`;
      this.variables[name] ??= { description: `The "${name}" output of node "${id}".` };
    });
    return result;
  }

  private approval(raw: Fields, path: string, id: string, scope: Scope): readonly Exit[] {
    const { approvalMessage, timeout, ...fields } = raw;
    if (approvalMessage !== undefined)
      this.put(fields, `${path}.approvalMessage`, 'message', approvalMessage);
    if (timeout !== undefined) {
      this.put(fields, `${path}.timeout`, 'deadlineMs', timeout);
      // The spec's approval node auto-approves when its timeout passes.
      fields.autoDecision ??= 'approved';
    }
    scope.nodes.push({ ...fields, id, type: 'approval' } as NodeInput);
    // An edge without a port follows "approved"; a rejection fails the run, as the spec has no rejection branch.
    return [{ from: id }];
  }

  private conditional(raw: Fields, path: string, id: string, scope: Scope): readonly Exit[] {
    const { trueBranch, falseBranch, defaultBranch, cases, ...fields } = raw;
    if (cases === undefined) {
      if (defaultBranch !== undefined)
        this.problem(`${path}.defaultBranch`, 'only a switch (with "cases") has a default branch');
      scope.nodes.push({ ...fields, id, type: 'conditional' });
      return [
        ...this.sequence(trueBranch ?? [], `${path}.trueBranch`, [{ from: id, port: 'true' }], scope),
        ...this.sequence(falseBranch ?? [], `${path}.falseBranch`, [{ from: id, port: 'false' }], scope),
      ];
    }
    if (trueBranch !== undefined || falseBranch !== undefined) {
      this.problem(
        path,
        'a conditional has either "condition" with true/false branches or "cases", not both',
      );
    }
    if (!Array.isArray(cases)) {
      this.problem(`${path}.cases`, 'must be a list of { when, port?, branch }');
      return [];
    }
    const ourCases: Fields[] = [];
    const branches: { list: unknown; path: string; port: string }[] = [];
    cases.forEach((c: unknown, k) => {
      if (!isRecord(c)) {
        this.problem(`${path}.cases[${k}]`, 'must be an object { when, port?, branch }');
        return;
      }
      const { branch, port, ...rest } = c;
      const name = typeof port === 'string' ? port : `case_${k + 1}`;
      ourCases.push({ ...rest, port: name });
      branches.push({ list: branch ?? [], path: `${path}.cases[${k}].branch`, port: name });
    });
    scope.nodes.push({ ...fields, id, type: 'conditional', cases: ourCases } as NodeInput);
    branches.push({ list: defaultBranch ?? [], path: `${path}.defaultBranch`, port: 'default' });
    return branches.flatMap((b) => this.sequence(b.list, b.path, [{ from: id, port: b.port }], scope));
  }

  /** Converts a nested list into a fresh sub-graph; reports an empty one. */
  private subGraph(list: unknown, path: string): Scope {
    const sub: Scope = { nodes: [], edges: [] };
    this.sequence(list, path, [], sub);
    if (Array.isArray(list) && list.length === 0) this.problem(path, 'needs at least one node');
    return sub;
  }

  private parallel(raw: Fields, path: string, id: string, scope: Scope): readonly Exit[] {
    const { branches, waitForAll, ...fields } = raw;
    if (waitForAll !== undefined) {
      if (typeof waitForAll !== 'boolean') this.problem(`${path}.waitForAll`, 'must be true or false');
      this.put(fields, `${path}.waitForAll`, 'waitFor', waitForAll === false ? 'first' : 'all');
    }
    const ours: Fields[] = [];
    if (!Array.isArray(branches) || branches.length === 0) {
      this.problem(`${path}.branches`, 'must be a non-empty list of branches, each a list of nodes');
    } else {
      branches.forEach((branch: unknown, k) => {
        const at = `${path}.branches[${k}]`;
        if (Array.isArray(branch)) {
          ours.push({ ...this.subGraph(branch, at) });
        } else if (isRecord(branch) && !('edges' in branch)) {
          const { nodes, ...rest } = branch;
          ours.push({ ...rest, ...this.subGraph(nodes, `${at}.nodes`) });
        } else {
          this.problem(
            at,
            'a branch is a list of nodes, or { name?, output?, nodes } with the nodes listed in order',
          );
        }
      });
    }
    scope.nodes.push({ ...fields, id, type: 'parallel', branches: ours });
    return [{ from: id }];
  }

  private loop(raw: Fields, path: string, id: string, scope: Scope): readonly Exit[] {
    const { body, ...fields } = raw;
    if (!Array.isArray(body)) {
      this.problem(`${path}.body`, 'a nested loop\'s "body" is the list of nodes run for each iteration');
      return [{ from: id }];
    }
    scope.nodes.push({
      ...fields,
      id,
      type: 'loop',
      body: { ...this.subGraph(body, `${path}.body`) },
    });
    return [{ from: id }];
  }
}

function edge(exit: Exit, to: string): Edge {
  return exit.port === undefined ? { from: exit.from, to } : { from: exit.from, to, port: exit.port };
}

function slug(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return /^[a-z]/.test(base) ? base : `workflow-${base}`.replace(/-$/, '');
}
