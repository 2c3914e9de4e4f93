import { AgentError } from '@baton/core';
import { stableHash } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';
import { invalidInput } from './input-fields.js';

/**
 * `builtin.deployer` (simulated deployment): `deploy` reports the version as serving, `rollback` reports the
 * previous version as serving again; the deployment id and URL are derived from service, environment,
 * version and action. `simulateFailure` fails the deploy with a retryable error, to rehearse error routes.
 * Deploys nothing.
 */
export const deployer = builtinAgent('builtin.deployer', async (input, ctx) => {
  const action = input.choice('action', ['deploy', 'rollback'] as const, 'deploy');
  const service = input.string('service', { minLength: 1 });
  const environment = input.choice('environment', ['staging', 'production'] as const);
  const version = input.string('version', { minLength: 1 });
  const previousVersion = input.optionalString('previousVersion', { minLength: 1 });
  input.choice('strategy', ['rolling', 'blue_green', 'canary'] as const, 'rolling');
  const simulateFailure = input.boolean('simulateFailure', false);
  await ctx.step();
  if (action === 'rollback' && previousVersion === undefined) {
    throw invalidInput(
      'input.previousVersion',
      'required when action is rollback; give the version to return to',
    );
  }
  if (action === 'deploy' && simulateFailure) {
    throw new AgentError(
      `simulated failure deploying ${service} ${version} to ${environment} (simulateFailure is set)`,
      {
        retryable: true,
        details: { simulated: true },
      },
    );
  }
  const serving = action === 'rollback' ? (previousVersion ?? version) : version;
  const host =
    service
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'service';
  const suffix = stableHash('deploy', service, environment, version, action).slice(0, 6).toUpperCase();
  return {
    deploymentId: `DEP-${environment === 'production' ? 'PROD' : 'STG'}-${suffix}`,
    environment,
    version: serving,
    status: action === 'rollback' ? 'rolled_back' : 'deployed',
    url: `https://${environment === 'production' ? '' : 'staging.'}${host}.example.com`,
    at: ctx.now().toISOString(),
    simulated: true,
  };
});
