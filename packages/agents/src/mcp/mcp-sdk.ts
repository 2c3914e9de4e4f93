/**
 * The parts of the MCP SDK the `mcp` runtime uses at run time, gathered so that the runtime loads them on first
 * use (`import('./mcp-sdk.js')`): importing the SDK takes about half a second, which every process would pay
 * at start, mcp agents or not.
 */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
export {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
