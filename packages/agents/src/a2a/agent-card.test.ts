import { DefinitionError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { A2A_IMPORT_DEFAULTS, agentCardToDefinition, slugId } from './agent-card.js';

const now = '2026-01-01T00:00:00.000Z';
const cardUrl = 'https://agents.example.com/.well-known/agent-card.json';
const card = {
  name: 'Market Researcher',
  description: 'Finds out about markets',
  version: '2.1.0',
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain', 'application/json'],
  skills: [
    { id: 'Market Research', name: 'Research', inputModes: ['application/json'] },
    { id: 'sum-up', name: 'Summarise', outputModes: ['text/markdown'] },
  ],
};

describe('agentCardToDefinition', () => {
  it('maps a card to an a2a definition with its skills, modes and conservative declared figures', () => {
    const agent = agentCardToDefinition(card, { cardUrl, now, authSecret: 'RESEARCH_TOKEN' });
    expect(agent).toMatchObject({
      id: 'market-researcher',
      name: 'Market Researcher',
      version: '2.1.0',
      description: 'Finds out about markets',
      kind: 'a2a',
      status: 'active',
      capabilities: {
        domain: 'operations',
        skills: ['market_research', 'sum-up'],
        inputTypes: ['text/plain', 'application/json'],
        outputTypes: ['text/plain', 'application/json', 'text/markdown'],
      },
      performance: A2A_IMPORT_DEFAULTS.performance,
      settings: { url: cardUrl, authSecret: 'RESEARCH_TOKEN' },
      createdAt: now,
    });
  });

  it('takes a given id, and version 1.0.0 when the card’s is not semver', () => {
    const agent = agentCardToDefinition({ ...card, version: 'v2' }, { cardUrl, now, id: 'acme.research' });
    expect(agent.id).toBe('acme.research');
    expect(agent.version).toBe('1.0.0');
    expect(agent.settings).toEqual({ url: cardUrl });
  });

  it('gives a card without skills one skill named after the agent', () => {
    const agent = agentCardToDefinition({ name: '42 Answers' }, { cardUrl, now });
    expect(agent.id).toBe('_42-answers');
    expect(agent.capabilities.skills).toEqual(['_42_answers']);
    expect(agent.version).toBe('1.0.0');
  });

  it('refuses a malformed card, naming the fields that are wrong', () => {
    const attempt = () => agentCardToDefinition({ name: '', skills: 'all' }, { cardUrl, now });
    expect(attempt).toThrow(DefinitionError);
    expect(attempt).toThrow(/is not a valid A2A agent card: card\.name: .*card\.skills/);
  });

  it('refuses an id in the wrong format', () => {
    expect(() => agentCardToDefinition(card, { cardUrl, now, id: 'no spaces' })).toThrow(DefinitionError);
  });
});

describe('slugId', () => {
  it('turns text into an id', () => {
    expect(slugId('  Café Bot v2! ')).toBe('cafe-bot-v2');
    expect(slugId('Contract review', '_')).toBe('contract_review');
    expect(slugId('!!!')).toBe('');
  });
});
