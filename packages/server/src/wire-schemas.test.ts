import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentDefinitionSchema, AgentStatusSchema, DomainSchema, type ErrorCode } from '@baton/core';
import { WireAgentKindSchema, WireAgentStatusSchema, WireDomainSchema } from '@baton/protocol';
import { httpStatusOf } from './error-reply.js';

describe('the wire schemas of @baton/protocol', () => {
  // Protocol may not import core, so it repeats these values; this keeps the copies honest.
  it('carry the same statuses, domains and kinds as the model', () => {
    expect(WireAgentStatusSchema.options).toEqual(AgentStatusSchema.options);
    expect(WireDomainSchema.options).toEqual(DomainSchema.options);
    expect(WireAgentKindSchema.options).toEqual(AgentDefinitionSchema.shape.kind.options);
  });
});

describe('the HTTP status of each error code', () => {
  it('is the one docs/errors.md gives, for every code it lists', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    // The first table: | `CODE` | class | retryable | HTTP | meaning |
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| [^|]+ \| [^|]+ \| (\d{3}) \|/gm)];
    expect(rows.length).toBeGreaterThan(10);
    for (const [, code, status] of rows) expect(httpStatusOf(code as ErrorCode), code).toBe(Number(status));
    expect(rows.map((r) => r[1])).toContain('INPUT_REQUIRED');
  });
});
