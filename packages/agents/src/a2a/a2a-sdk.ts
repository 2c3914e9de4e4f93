/**
 * The parts of the A2A SDK the `a2a` runtime uses at run time, gathered so that the runtime loads them on first
 * use (`import('./a2a-sdk.js')`) rather than every process at start, a2a agents or not.
 */
export { Role } from '@a2a-js/sdk';
export {
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
