import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definition, invocation, rejection } from '../samples.test.fixtures.js';
import { ScriptAgentRuntime } from './script-agent-runtime.js';

const scriptAgent = (source: string, settings: Record<string, unknown> = {}) => ({
  ...definition('builtin.summarizer'),
  id: 'acme.untrusted',
  version: '1.0.0',
  kind: 'script' as const,
  settings: { source, ...settings },
});

/**
 * Names a script could use to reach the host, were any of them there. (`SharedArrayBuffer` is a QuickJS
 * built-in; with no way to post it anywhere it shares nothing.)
 */
const HOST_NAMES = [
  'process',
  'require',
  'module',
  'exports',
  'Buffer',
  'global',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'WebAssembly',
  'std',
  'os',
  'print',
  'scriptArgs',
  'hostLog',
];

type Row = [name: string, source: string, expected: { output: unknown } | { error: RegExp }];

const rows: Row[] = [
  [
    'the Function constructor reached through an object',
    `export default () => ({}).constructor.constructor('return typeof process + typeof require')()`,
    { output: 'undefinedundefined' },
  ],
  [
    'the Function constructor reached through console',
    `export default () => console.log.constructor('return typeof globalThis.process')()`,
    { output: 'undefined' },
  ],
  [
    'Function("return globalThis") looking for host objects',
    `const names = ${JSON.stringify(HOST_NAMES)};
     export default () => names.filter((n) => Object.getOwnPropertyNames(Function('return globalThis')()).includes(n))`,
    { output: [] },
  ],
  ['eval of process', `export default () => eval('typeof process')`, { output: 'undefined' }],
  [
    'a static import of fs',
    `import fs from 'fs'; export default () => typeof fs`,
    { error: /could not load module 'fs'/ },
  ],
  [
    'a dynamic import of fs',
    `export default async () => { try { await import('fs'); return 'loaded'; } catch (e) { return e.message; } }`,
    { output: "could not load module 'fs'" },
  ],
  [
    'a dynamic import of a node: URL',
    `export default () => import('node:child_process').then(() => 'loaded', (e) => e.name)`,
    { output: 'ReferenceError' },
  ],
  ['require', `export default () => require('fs')`, { error: /ReferenceError: 'require' is not defined/ }],
  ['timers', `export default () => setTimeout(() => {}, 1)`, { error: /'setTimeout' is not defined/ }],
  [
    'a returned __proto__ key from JSON.parse',
    `export default () => JSON.parse('{"a": 1, "__proto__": {"polluted": "yes"}}')`,
    { error: /output\.__proto__: the key "__proto__" is refused/ },
  ],
  [
    'a nested computed __proto__ key',
    `export default () => ({ deep: { ['__proto__']: { polluted: 'yes' } } })`,
    { error: /output\.deep\.__proto__: the key "__proto__" is refused/ },
  ],
  [
    'a __proto__ key hidden behind replaced built-ins and a proxy',
    `Object.keys = () => [];
     Object.getOwnPropertyDescriptor = () => undefined;
     export default () => new Proxy({}, {
       ownKeys: () => ['__proto__'],
       getOwnPropertyDescriptor: () => ({ value: { polluted: 'yes' }, enumerable: true, configurable: true }),
     })`,
    { error: /output\.__proto__: the key "__proto__" is refused/ },
  ],
  [
    'tampering with Object.prototype, Array.prototype and JSON inside the sandbox',
    `Object.prototype.polluted = 'yes';
     Object.prototype.toJSON = () => 'hijacked';
     Array.prototype.push = () => { throw new Error('no'); };
     Array.prototype.join = () => 'hijacked';
     JSON.stringify = () => '"hijacked"';
     Object.getPrototypeOf = () => null;
     export default () => ({ list: [1, 2], text: 'ok' })`,
    { output: { list: [1, 2], text: 'ok' } },
  ],
  [
    'replacing Promise.prototype.then',
    `Promise.prototype.then = function () { throw new Error('hijacked'); };
     export default async () => 'settled'`,
    { output: 'settled' },
  ],
  [
    'a proxy that lies about its shape',
    `export default () => new Proxy({}, {
       getPrototypeOf: () => Object.prototype,
       ownKeys: () => ['a'],
       getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
     })`,
    { output: { a: 1 } },
  ],
  [
    'a thrown object whose message getter never returns',
    `export default () => { throw { get message() { for (;;) {} } } }`,
    { error: /ran past its time limit/ },
  ],
  [
    'a huge string output',
    `export default () => 'x'.repeat(3_000_000)`,
    { error: /longer than 1000000 characters of JSON/ },
  ],
];

describe('ScriptAgentRuntime sandbox', () => {
  const runtime = new ScriptAgentRuntime({ maxWorkers: 1 });
  let prototypeNames: string[];
  let arrayPrototypeNames: string[];
  let globalNames: string[];

  beforeAll(() => {
    prototypeNames = Object.getOwnPropertyNames(Object.prototype);
    arrayPrototypeNames = Object.getOwnPropertyNames(Array.prototype);
    globalNames = Object.getOwnPropertyNames(globalThis);
  });
  afterAll(() => runtime.close());

  it.each(rows)('contains %s, and the host is unaffected', async (_name, source, expected) => {
    const agent = scriptAgent(source, { timeLimitMs: 300 });
    if ('output' in expected) {
      const { output } = await runtime.invoke(invocation(agent, {}));
      expect(output).toEqual(expected.output);
      if (typeof output === 'object' && output !== null) {
        expect(Object.getPrototypeOf(output)).toBe(
          Array.isArray(output) ? Array.prototype : Object.prototype,
        );
      }
    } else {
      const error = await rejection(runtime.invoke(invocation(agent, {})));
      expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
      expect((error as Error).message).toMatch(expected.error);
    }
    // The host's built-ins are untouched.
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeNames);
    expect(Object.getOwnPropertyNames(Array.prototype)).toEqual(arrayPrototypeNames);
    expect(Object.getOwnPropertyNames(globalThis)).toEqual(globalNames);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify({ a: [1] })).toBe('{"a":[1]}');
    expect([1, 2].join('-')).toBe('1-2');
  });

  it('gives every attempt a fresh context: nothing one script leaves behind reaches the next', async () => {
    await runtime.invoke(
      invocation(scriptAgent('globalThis.leak = 1; Object.prototype.leak = 2; export default () => 0'), {}),
    );
    const { output } = await runtime.invoke(
      invocation(scriptAgent('export default () => [typeof globalThis.leak, typeof ({}).leak]'), {}),
    );
    expect(output).toEqual(['undefined', 'undefined']);
  });

  it('gives the script copies: changing its input changes nothing on the host', async () => {
    const input = { list: [1, 2, 3], nested: { a: 1 } };
    const { output } = await runtime.invoke(
      invocation(scriptAgent('export default (i) => { i.list.push(4); i.nested.a = 9; return i }'), input),
    );
    expect(output).toEqual({ list: [1, 2, 3, 4], nested: { a: 9 } });
    expect(input).toEqual({ list: [1, 2, 3], nested: { a: 1 } });
  });
});
