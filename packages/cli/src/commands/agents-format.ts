import type { AgentDefinition, AgentStatus } from '@baton/core';
import { styles, type CliIo } from '../io.js';

/** One line per agent version, as `agents list` and `agents search` print them. */
export function listLine(io: CliIo, agent: AgentDefinition): string {
  const s = styles(io);
  const ref = `${agent.id}@${agent.version}`.padEnd(40);
  const status = statusColour(io, agent.status)(agent.status.padEnd(10));
  const replaced = agent.replacedBy === undefined ? '' : s.dim(` → ${agent.replacedBy}`);
  return `${ref} ${status} ${agent.capabilities.domain.padEnd(11)} ${agent.kind.padEnd(8)} ${agent.name}${replaced}`;
}

export function statusColour(io: CliIo, status: AgentStatus): (text: string) => string {
  const s = styles(io);
  return status === 'offline'
    ? s.red
    : status === 'deprecated'
      ? s.yellow
      : status === 'beta'
        ? s.cyan
        : s.green;
}
