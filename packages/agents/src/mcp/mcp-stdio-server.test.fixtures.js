// A stdio MCP server for the tests of the mcp runtime, started with `node` as a child process. Plain
// JavaScript so that it runs without a build step.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'stdio-tools', version: '1.0.0' });
server.registerTool('shout', { inputSchema: { text: z.string() } }, ({ text }) => ({
  content: [{ type: 'text', text: `${text.toUpperCase()} from ${process.env['GREETING'] ?? 'nobody'}` }],
}));
await server.connect(new StdioServerTransport());
