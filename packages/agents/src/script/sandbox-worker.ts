import type * as QuickJs from 'quickjs-emscripten';
import type * as WorkerThreads from 'node:worker_threads';
import type {
  SandboxFailure,
  SandboxJob,
  SandboxMessage,
  SandboxOutcome,
  SandboxWorkerData,
} from './sandbox-protocol.js';

/**
 * The body of a sandbox worker thread. `SandboxPool` starts workers from `sandboxWorkerMain.toString()` (a
 * worker cannot load TypeScript, and this way the same code runs from the sources under test and from the
 * build), so this function must stay self-contained: only its parameters, its own inner functions, types,
 * and globals.
 *
 * For each job: a fresh QuickJS runtime and context with the job's memory, stack and time limits; the
 * prelude (console, output check); the user's module; its default export called with the input. Every
 * handle is disposed before the runtime; if disposal itself fails, the module's memory may be damaged, so
 * the worker asks to be recycled. Jobs arrive one at a time.
 */
export function sandboxWorkerMain(threads: typeof WorkerThreads, quickjs: typeof QuickJs): void {
  const port = threads.parentPort;
  if (port === null) throw new Error('the sandbox worker must run in a worker thread');
  const { preludeSource } = threads.workerData as SandboxWorkerData;
  // One WebAssembly module per worker: a fault in it can harm only this worker's jobs.
  const loading = quickjs.newQuickJSWASMModule(quickjs.RELEASE_SYNC);

  port.on('message', (job: SandboxJob) => {
    loading.then(
      (module) => {
        post({ type: 'started', id: job.id });
        const { outcome, recycle } = runJob(module, job);
        post({ type: 'done', id: job.id, outcome, recycle });
      },
      (error: unknown) => {
        const message = `the sandbox could not start: ${String(error)}`;
        post({
          type: 'done',
          id: job.id,
          outcome: { ok: false, failure: 'internal', message },
          recycle: true,
        });
      },
    );
  });

  function post(message: SandboxMessage): void {
    port?.postMessage(message);
  }

  function runJob(
    module: QuickJs.QuickJSWASMModule,
    job: SandboxJob,
  ): { outcome: SandboxOutcome; recycle: boolean } {
    const deadline = performance.now() + job.timeLimitMs;
    let interrupted = false;
    let recycle = false;
    let runtime: QuickJs.QuickJSRuntime | undefined;
    let context: QuickJs.QuickJSContext | undefined;
    const scope = new quickjs.Scope();
    const fail = (failure: SandboxFailure, message: string): SandboxOutcome => ({
      ok: false,
      failure,
      message,
    });
    let outcome: SandboxOutcome;
    try {
      runtime = module.newRuntime();
      runtime.setMemoryLimit(job.memoryLimitBytes);
      runtime.setMaxStackSize(job.stackLimitBytes);
      // Once the deadline passed, keep answering "stop": QuickJS makes the interruption uncatchable.
      runtime.setInterruptHandler(() => (interrupted ||= performance.now() > deadline));
      const vm = runtime.newContext();
      context = vm;
      const rt = runtime;

      let lines = 0;
      const hostLog = scope.manage(
        vm.newFunction('hostLog', (levelHandle, textHandle) => {
          if (vm.typeof(levelHandle) !== 'string' || vm.typeof(textHandle) !== 'string') return;
          lines += 1;
          if (lines > job.maxLogLines) {
            if (lines === job.maxLogLines + 1) {
              const text = `[log limit of ${job.maxLogLines} lines reached; later lines are dropped]`;
              post({ type: 'log', id: job.id, level: 'warn', text });
            }
            return;
          }
          const level = vm.getString(levelHandle);
          // The prelude cuts lines already; a script that replaced it gets its lines refused, not copied.
          const length = vm.getLength(textHandle) ?? 0;
          const text =
            length > job.maxLogLineChars + 1
              ? `[a ${length}-character line was dropped]`
              : vm.getString(textHandle);
          post({
            type: 'log',
            id: job.id,
            level: level === 'warn' || level === 'error' ? level : 'info',
            text,
          });
        }),
      );

      const settle = (handle: QuickJs.QuickJSHandle): QuickJs.JSPromiseState => {
        // Run the microtasks the script queued; each runs under the interrupt handler, so this ends.
        while (rt.hasPendingJob()) {
          const ran = rt.executePendingJobs();
          if (ran.error) {
            scope.manage(ran.error);
            break;
          }
        }
        return vm.getPromiseState(handle);
      };
      const describe = (error: QuickJs.QuickJSHandle): { failure: SandboxFailure; message: string } => {
        if (interrupted) return { failure: 'time', message: 'interrupted' };
        let name = '';
        let message: string;
        let stack = '';
        const type = vm.typeof(error);
        const isNull = type === 'object' && vm.eq(error, vm.null);
        try {
          if (type === 'object' && !isNull) {
            const read = (key: string): string => {
              const value = scope.manage(vm.getProp(error, key));
              return vm.typeof(value) === 'string' ? vm.getString(value).slice(0, 2000) : '';
            };
            name = read('name');
            message = read('message');
            stack = read('stack');
          } else if (type === 'string') {
            message = vm.getString(error).slice(0, 2000);
          } else {
            // A primitive: dumping it runs no script code.
            message = String(vm.dump(error) as unknown);
          }
        } catch {
          message = 'an error that could not be read';
        }
        // Reading `message` may have run a getter of the script's into the deadline.
        if (interrupted) return { failure: 'time', message: 'interrupted' };
        if (name === 'InternalError' && message === 'out of memory') return { failure: 'memory', message };
        if (name === 'InternalError' && message === 'stack overflow') return { failure: 'stack', message };
        if (name === 'BatonOutputError') return { failure: 'output', message };
        if (isNull) {
          // QuickJS throws null when it cannot even allocate its out-of-memory error. When the data that
          // filled the heap is still held, that shows; when unwinding freed it, only a hint is honest.
          if (nearMemoryLimit()) return { failure: 'memory', message: 'out of memory' };
          return {
            failure: 'threw',
            message: 'null (QuickJS also throws null when it runs out of memory while reporting an error)',
          };
        }
        const firstFrame = stack.split('\n').find((line) => line.trim() !== '');
        const where = firstFrame === undefined ? '' : ` (${firstFrame.trim()})`;
        return { failure: 'threw', message: `${name === '' ? '' : `${name}: `}${message}${where}` };
      };
      const nearMemoryLimit = (): boolean => {
        try {
          rt.setMemoryLimit(-1);
          const usage = scope.manage(rt.computeMemoryUsage());
          const used = scope.manage(vm.getProp(usage, 'memory_used_size'));
          return vm.getNumber(used) >= job.memoryLimitBytes * 0.9;
        } catch {
          return false;
        }
      };
      const failWith = (error: QuickJs.QuickJSHandle): SandboxOutcome => {
        const { failure, message } = describe(error);
        return fail(failure, message);
      };

      outcome = (() => {
        const prelude = vm.evalCode(`(${preludeSource})`, 'baton-prelude.js', {
          type: 'global',
          strict: true,
        });
        if (prelude.error)
          return fail('internal', `the prelude failed: ${describe(scope.manage(prelude.error)).message}`);
        const preludeFn = scope.manage(prelude.value);
        const started = vm.callFunction(
          preludeFn,
          vm.undefined,
          hostLog,
          scope.manage(vm.newNumber(job.maxLogLineChars)),
          scope.manage(vm.newNumber(job.maxOutputChars)),
        );
        if (started.error)
          return fail('internal', `the prelude failed: ${describe(scope.manage(started.error)).message}`);
        const start = scope.manage(started.value);

        const loaded = vm.evalCode(job.source, 'script.js', { type: 'module', strict: true });
        if (loaded.error) return failWith(scope.manage(loaded.error));
        const evaluated = settle(scope.manage(loaded.value));
        if (evaluated.type === 'rejected') return failWith(scope.manage(evaluated.error));
        if (evaluated.type === 'pending') {
          return interrupted
            ? fail('time', 'interrupted')
            : fail('pending', 'the module never finished loading');
        }
        const namespace = scope.manage(evaluated.value);
        const entry = scope.manage(vm.getProp(namespace, 'default'));
        if (vm.typeof(entry) !== 'function')
          return fail('entry', `the default export is ${vm.typeof(entry)}`);

        const called = vm.callFunction(
          start,
          vm.undefined,
          entry,
          scope.manage(vm.newString(job.inputJson)),
          scope.manage(vm.newString(job.contextJson)),
        );
        if (called.error) return failWith(scope.manage(called.error));
        const result = settle(scope.manage(called.value));
        if (result.type === 'rejected') return failWith(scope.manage(result.error));
        if (result.type === 'pending') {
          return interrupted ? fail('time', 'interrupted') : fail('pending', 'the entry never settled');
        }
        const text = scope.manage(result.value);
        if (vm.typeof(text) !== 'string') return fail('output', 'the prelude did not produce JSON text');
        // Checked before copying, in case the script replaced the prelude's own size check.
        if ((vm.getLength(text) ?? 0) > job.maxOutputChars) {
          return fail('output', `the output is longer than ${job.maxOutputChars} characters of JSON`);
        }
        return { ok: true, outputJson: vm.getString(text) };
      })();
    } catch (error) {
      outcome = fail('internal', `the sandbox failed: ${String(error)}`);
      recycle = true;
    }
    // A worker that hit the memory limit keeps a grown WebAssembly memory; a fresh one starts small.
    if (!outcome.ok && outcome.failure === 'memory') recycle = true;
    try {
      scope.dispose();
      context?.dispose();
      runtime?.dispose();
    } catch {
      recycle = true;
    }
    return { outcome, recycle };
  }
}
