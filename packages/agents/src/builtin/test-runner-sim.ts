import { builtinAgent } from './builtin-agent.js';

/** Duration of a suite that states none, per test. */
const MS_PER_TEST = 15;

/**
 * `builtin.test-runner-sim` (simulated CI): results follow from the description of the suites — every test
 * passes except those listed as failing; a suite takes its stated duration, or 15 ms per test. Runs no tests.
 */
export const testRunnerSim = builtinAgent('builtin.test-runner-sim', async (input, ctx) => {
  input.string('commitSha', { minLength: 7 });
  const suites = [];
  const failures: { suite: string; test: string }[] = [];
  for (const suite of input.objects('suites', { minItems: 1 })) {
    await ctx.step();
    const name = suite.string('name');
    const total = suite.number('tests', { integer: true, min: 0 });
    const failing = [...new Set(suite.strings('failing', { optional: true }))];
    const failed = Math.min(total, failing.length);
    for (const test of failing.slice(0, failed)) failures.push({ suite: name, test });
    const durationMs = suite.optionalNumber('durationMs', { integer: true, min: 0 }) ?? total * MS_PER_TEST;
    suites.push({ name, total, failed, durationMs });
    ctx.progress(`suite ${name}: ${total - failed} of ${total} passed`, { suite: name, total, failed });
  }
  const total = suites.reduce((sum, s) => sum + s.total, 0);
  const failed = suites.reduce((sum, s) => sum + s.failed, 0);
  return {
    passed: failed === 0,
    total,
    failed,
    durationMs: suites.reduce((sum, s) => sum + s.durationMs, 0),
    failures,
    suites,
    simulated: true,
  };
});
