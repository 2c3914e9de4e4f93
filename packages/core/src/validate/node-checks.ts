import type { Problem } from '../errors/errors.js';
import type { RetryPolicy } from '../model/common-schema.js';
import type { ApprovalNode, ConditionalNode, WorkflowNode } from '../model/node-schema.js';
import { DEFAULT_PORT, ERROR_PORT } from '../model/workflow-graph.js';
import type { Workflow } from '../model/workflow-schema.js';
import { childPath } from './json-path.js';
import { error, listOf, suggestion, warning } from './problem.js';
import { walkNodes } from './walk-nodes.js';

/** The decision an approval takes on timeout when it names none. */
const DEFAULT_DECISION = 'rejected';

/**
 * Exactly one of `fields` must be set. Neither is reported at the node; both at the later field, since the
 * earlier one is the likelier intent.
 */
function exactlyOne(
  code: 'AGENT_NODE_SHAPE' | 'CONDITIONAL_SHAPE' | 'LOOP_SHAPE' | 'WAIT_SHAPE',
  node: WorkflowNode,
  path: string,
  fields: readonly { name: string; set: boolean; meaning: string }[],
): Problem[] {
  const present = fields.filter((f) => f.set);
  if (present.length === 1) return [];
  const names = fields.map((f) => f.name);
  if (present.length === 0) {
    const described = fields.map((f) => `"${f.name}" (${f.meaning})`);
    const choices = `${described.slice(0, -1).join(', ')} or ${described.at(-1) ?? ''}`;
    return [error(code, path, `${node.type} node "${node.id}" needs one of ${choices}`)];
  }
  const extra = present.slice(1).map((f) => f.name);
  return [
    error(
      code,
      childPath(path, extra[0] ?? ''),
      `${node.type} node "${node.id}" sets ${listOf(present.map((f) => f.name))}, but takes exactly one of ${listOf(names, 'or')}: keep one`,
    ),
  ];
}

/** Ports named twice, or named like a port the node always has. */
function portNameProblems(
  node: WorkflowNode,
  ports: readonly { name: string; path: string }[],
  builtIn: readonly string[],
  kind: string,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const { name, path } of ports) {
    if (builtIn.includes(name)) {
      problems.push(
        error(
          'DUPLICATE_PORT',
          path,
          `${kind} "${name}" of node "${node.id}" clashes with its built-in port "${name}": rename the ${kind}`,
        ),
      );
    } else if (seen.has(name)) {
      problems.push(
        error(
          'DUPLICATE_PORT',
          path,
          `${kind} "${name}" of node "${node.id}" is listed twice: rename or remove one`,
        ),
      );
    }
    seen.add(name);
  }
  return problems;
}

function conditionalProblems(node: ConditionalNode, path: string): Problem[] {
  const cases = (node.cases ?? []).map((c, i) => ({ name: c.port, path: `${path}.cases[${i}].port` }));
  return [
    ...exactlyOne('CONDITIONAL_SHAPE', node, path, [
      { name: 'condition', set: node.condition !== undefined, meaning: 'if/else' },
      { name: 'cases', set: node.cases !== undefined, meaning: 'switch' },
    ]),
    ...portNameProblems(node, cases, ['default', ERROR_PORT], 'case port'),
  ];
}

function approvalProblems(node: ApprovalNode, path: string): Problem[] {
  const options = node.options.map((o, i) => ({ name: o, path: `${path}.options[${i}]` }));
  const problems = portNameProblems(node, options, [DEFAULT_PORT, ERROR_PORT], 'option');
  if (node.autoDecision !== undefined && !node.options.includes(node.autoDecision)) {
    problems.push(
      error(
        'UNKNOWN_DECISION',
        `${path}.autoDecision`,
        `autoDecision "${node.autoDecision}" is not one of the options ${listOf(node.options)}${suggestion(node.autoDecision, node.options)}`,
      ),
    );
  } else if (
    node.autoDecision === undefined &&
    node.deadlineMs !== undefined &&
    !node.options.includes(DEFAULT_DECISION)
  ) {
    problems.push(
      error(
        'UNKNOWN_DECISION',
        `${path}.deadlineMs`,
        `on timeout the decision is "${DEFAULT_DECISION}", which is not one of the options ${listOf(node.options)}: set autoDecision to one of them`,
      ),
    );
  }
  return problems;
}

function retryProblems(retry: RetryPolicy | undefined, path: string): Problem[] {
  if (!retry || retry.maxDelayMs >= retry.initialDelayMs) return [];
  return [
    warning(
      'RETRY_DELAYS',
      `${path}.maxDelayMs`,
      `maxDelayMs (${retry.maxDelayMs}) is below initialDelayMs (${retry.initialDelayMs}), so every delay is cut to ${retry.maxDelayMs} ms: raise maxDelayMs or lower initialDelayMs`,
    ),
  ];
}

function nodeProblems(node: WorkflowNode, path: string): Problem[] {
  const problems = retryProblems(node.retry, `${path}.retry`);
  switch (node.type) {
    case 'agent':
      problems.push(
        ...exactlyOne('AGENT_NODE_SHAPE', node, path, [
          { name: 'agent', set: node.agent !== undefined, meaning: 'a pinned agent' },
          { name: 'select', set: node.select !== undefined, meaning: 'a capability query' },
        ]),
      );
      break;
    case 'conditional':
      problems.push(...conditionalProblems(node, path));
      break;
    case 'loop':
      problems.push(
        ...exactlyOne('LOOP_SHAPE', node, path, [
          { name: 'forEach', set: node.forEach !== undefined, meaning: 'a list to iterate' },
          { name: 'while', set: node.while !== undefined, meaning: 'a condition to repeat on' },
        ]),
      );
      break;
    case 'wait':
      problems.push(
        ...exactlyOne('WAIT_SHAPE', node, path, [
          { name: 'durationMs', set: node.durationMs !== undefined, meaning: 'a delay' },
          { name: 'until', set: node.until !== undefined, meaning: 'a moment' },
          { name: 'event', set: node.event !== undefined, meaning: 'an event' },
        ]),
      );
      break;
    case 'approval':
      problems.push(...approvalProblems(node, path));
      break;
    case 'parallel':
    case 'transform':
    case 'subworkflow':
    case 'emit':
      break;
  }
  return problems;
}

/** The shape rules zod cannot express (exactly one of two fields, port names) and policy sanity. */
export function nodeShapeProblems(workflow: Workflow): Problem[] {
  const problems = retryProblems(workflow.policies.retry, 'policies.retry');
  walkNodes(workflow.nodes, ({ node, path }) => problems.push(...nodeProblems(node, path)));
  return problems;
}
