import { stableHash } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';

/**
 * `builtin.report-distributor` (simulated e-mail or chat): checks the recipient and message and returns a
 * message id derived from recipient, subject and body, so a repeated send gets the same id. Sends nothing.
 */
export const reportDistributor = builtinAgent('builtin.report-distributor', async (input, ctx) => {
  const recipient = input.object('recipient');
  recipient.string('name', { minLength: 1 });
  const email = recipient.string('email', { pattern: /^[^@\s]+@[^@\s]+$/ });
  const subject = input.string('subject', { minLength: 1 });
  const body = input.string('body', { minLength: 1 });
  const channel = input.choice('channel', ['email', 'slack'] as const, 'email');
  await ctx.step();
  return {
    messageId: `MSG-${stableHash('message', channel, email, subject, body).slice(0, 6).toUpperCase()}`,
    to: email,
    channel,
    status: 'sent',
    at: ctx.now().toISOString(),
    simulated: true,
  };
});
