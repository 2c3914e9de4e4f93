import {
  fromNestedForm,
  isNestedForm,
  validateWorkflow,
  type AgentCatalog,
  type Problem,
  type Workflow,
} from '@baton/core';

/** The outcome of reading a workflow document in either form. */
export interface WorkflowCheck {
  ok: boolean;
  workflow?: Workflow;
  problems: Problem[];
  /** The document was in the spec's nested form and was converted to the graph form. */
  convertedFromNestedForm: boolean;
}

/** Converts a nested-form document if needed, then validates it against the catalog. */
export function checkWorkflowDocument(document: unknown, agents: AgentCatalog): WorkflowCheck {
  const nested = isNestedForm(document);
  let graph: unknown = document;
  if (nested) {
    try {
      graph = fromNestedForm(document);
    } catch (error) {
      const problems = (error as { problems?: Problem[] }).problems;
      if (!problems) throw error;
      return { ok: false, problems, convertedFromNestedForm: true };
    }
  }
  const result = validateWorkflow(graph, { agents });
  return {
    ok: result.ok,
    ...(result.workflow ? { workflow: result.workflow } : {}),
    problems: result.problems,
    convertedFromNestedForm: nested,
  };
}
