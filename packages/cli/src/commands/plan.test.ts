import { describe, expect, it } from 'vitest';
import { runBaton } from '../testing/run-baton.js';

describe('baton plan', () => {
  it('shows the parallel groups and the critical path of the RFP template', async () => {
    const result = await runBaton(['plan', 'templates/rfp-response.json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Parallel groups');
    expect(result.stdout).toMatch(/Critical path .*→/);
    expect(result.stdout).toMatch(/Estimated time \d/);
    expect(result.stdout).toMatch(/Estimated cost \$\d/);
  });

  it('prints the spec WorkflowPlan shape with --json', async () => {
    const result = await runBaton(['plan', '--json', 'templates/rfp-response.json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      tasks: { id: string; dependencies: string[]; estimatedDuration: number; priority: number }[];
      executionStrategy: {
        parallelizableTasks: string[][];
        criticalPath: string[];
        totalEstimatedTime: number;
      };
    };
    expect(plan.tasks.length).toBeGreaterThan(3);
    expect(plan.executionStrategy.parallelizableTasks.some((g) => g.length > 1)).toBe(true);
    const onPath = plan.tasks.filter((t) => plan.executionStrategy.criticalPath.includes(t.id));
    const total = onPath.reduce((sum, t) => sum + t.estimatedDuration, 0);
    expect(total).toBeCloseTo(plan.executionStrategy.totalEstimatedTime, 3);
  });

  it('refuses an unknown mode with a usage error', async () => {
    const result = await runBaton(['plan', '--mode', 'best', 'templates/rfp-response.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--mode must be');
  });
});
