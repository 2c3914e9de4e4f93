/** The expression language: parse once, evaluate over plain data, render `{{ }}` templates. */
export { didYouMean } from './did-you-mean.js';
export { compileExpression, evaluateExpression, type CompiledExpression } from './expression.js';
export { expressionFunctionNames, expressionFunctionSignatures } from './library.js';
export { DEFAULT_EXPRESSION_LIMITS, type CompileOptions, type EvalOptions } from './limits.js';
export { expressionReferences } from './references.js';
export {
  isTemplate,
  parseTemplate,
  renderTemplate,
  resolveTemplates,
  templateExpressions,
  type TemplatePart,
} from './templates.js';
