import { isBatonError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  definition,
  invocation,
  rejection,
  runAgent,
  sampleInput,
  testRuntime,
} from '../samples.test.fixtures.js';

const procurement = sampleInput('procurement');
const items = procurement['items'];

describe('builtin.purchase-order-issuer', () => {
  it('issues a PO with the exact total and a number derived from the request id', async () => {
    const input = { requestId: 'PR-2026-0142', vendor: 'Contoso Hardware Ltd.', items };
    const out = await runAgent('builtin.purchase-order-issuer', input);
    expect(out).toMatchObject({
      status: 'issued',
      total: 18_576,
      currency: 'USD',
      at: '2026-01-01T00:00:00.000Z',
      simulated: true,
    });
    expect(out['poNumber']).toMatch(/^PO-2026-\d{5}$/);
    expect((await runAgent('builtin.purchase-order-issuer', input))['poNumber']).toBe(out['poNumber']);
  });

  it('cancels the PO it is given, and needs one to cancel', async () => {
    const cancel = { action: 'cancel', requestId: 'PR-1', vendor: 'V', items, poNumber: 'PO-2026-12345' };
    expect(await runAgent('builtin.purchase-order-issuer', cancel)).toMatchObject({
      poNumber: 'PO-2026-12345',
      status: 'cancelled',
    });
    const error = await rejection(
      testRuntime().invoke(
        invocation(definition('builtin.purchase-order-issuer'), { ...cancel, poNumber: undefined }),
      ),
    );
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('input.poNumber') as unknown,
    });
  });
});

describe('builtin.ledger-poster', () => {
  it('posts a balanced entry and reverses it with the mirror lines', async () => {
    const post = { poNumber: 'PO-2026-12345', amount: 18_576, costCenter: 'CC-4100' };
    const posted = await runAgent('builtin.ledger-poster', post);
    expect(posted).toMatchObject({ status: 'posted', simulated: true });
    expect(posted['entryId']).toMatch(/^JE-2026-\d{6}$/);
    expect(posted['lines']).toEqual([
      { account: '6100-purchased-services', debit: 18_576, credit: 0 },
      { account: '2000-accounts-payable', debit: 0, credit: 18_576 },
    ]);
    const reversed = await runAgent('builtin.ledger-poster', {
      ...post,
      action: 'reverse',
      entryId: posted['entryId'],
    });
    expect(reversed).toMatchObject({ entryId: posted['entryId'], status: 'reversed' });
    expect(reversed['lines']).toEqual([
      { account: '6100-purchased-services', debit: 0, credit: 18_576 },
      { account: '2000-accounts-payable', debit: 18_576, credit: 0 },
    ]);
  });
});

describe('builtin.deal-closer', () => {
  it('closes the deal with a stable id and a one-line summary', async () => {
    const input = {
      company: 'Harborview Health Partners',
      proposalId: 'PROP-X',
      amount: 80_770,
      discountPercent: 18,
      contractRiskScore: 100,
    };
    const out = await runAgent('builtin.deal-closer', input);
    expect(out).toMatchObject({ stage: 'closed_won', closedAt: '2026-01-01T00:00:00.000Z', simulated: true });
    expect(out['dealId']).toMatch(/^DEAL-2026-\d{5}$/);
    expect(out['summary']).toBe(
      'Closed won: Harborview Health Partners, USD 80,770.00 (18% discount, contract risk 100, owner unassigned), proposal PROP-X.',
    );
  });
});

describe('builtin.test-runner-sim', () => {
  it('fails exactly the tests listed as failing and sums durations, 15 ms per test when none is stated', async () => {
    const out = await runAgent('builtin.test-runner-sim', {
      commitSha: '9f3c2e71',
      suites: [
        { name: 'unit', tests: 10, failing: ['adds', 'adds'] },
        { name: 'e2e', tests: 2, durationMs: 500 },
      ],
    });
    expect(out).toEqual({
      passed: false,
      total: 12,
      failed: 1,
      durationMs: 650,
      failures: [{ suite: 'unit', test: 'adds' }],
      suites: [
        { name: 'unit', total: 10, failed: 1, durationMs: 150 },
        { name: 'e2e', total: 2, failed: 0, durationMs: 500 },
      ],
      simulated: true,
    });
  });
});

describe('builtin.deployer', () => {
  const deploy = {
    service: 'payments-api',
    environment: 'production',
    version: 'abc1234',
    previousVersion: 'v2.14.3',
  };

  it('deploys and rolls back with deterministic ids and URLs', async () => {
    const deployed = await runAgent('builtin.deployer', deploy);
    expect(deployed).toMatchObject({
      status: 'deployed',
      version: 'abc1234',
      url: 'https://payments-api.example.com',
    });
    expect(deployed['deploymentId']).toMatch(/^DEP-PROD-[0-9A-F]{6}$/);
    const rolledBack = await runAgent('builtin.deployer', { ...deploy, action: 'rollback' });
    expect(rolledBack).toMatchObject({ status: 'rolled_back', version: 'v2.14.3' });
    const staging = await runAgent('builtin.deployer', { ...deploy, environment: 'staging' });
    expect(staging['url']).toBe('https://staging.payments-api.example.com');
  });

  it('fails with a retryable error when asked to simulate a failure', async () => {
    const error = await rejection(
      testRuntime().invoke(invocation(definition('builtin.deployer'), { ...deploy, simulateFailure: true })),
    );
    expect(isBatonError(error, 'AGENT_FAILED')).toBe(true);
    expect(error).toMatchObject({ retryable: true });
  });
});

describe('builtin.report-distributor', () => {
  it('returns a message id derived from recipient and message', async () => {
    const input = {
      recipient: { name: 'Avery Chen', email: 'avery.chen@example.com' },
      subject: 'Q1',
      body: 'Hello',
    };
    const out = await runAgent('builtin.report-distributor', input);
    expect(out).toMatchObject({
      to: 'avery.chen@example.com',
      channel: 'email',
      status: 'sent',
      simulated: true,
    });
    expect(out['messageId']).toMatch(/^MSG-[0-9A-F]{6}$/);
    expect((await runAgent('builtin.report-distributor', { ...input, body: 'Hi' }))['messageId']).not.toBe(
      out['messageId'],
    );
  });
});
