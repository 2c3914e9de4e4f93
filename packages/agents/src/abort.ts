import { CancelledError, TimeoutError, isBatonError, type BatonError, type Clock } from '@baton/core';

/**
 * The error an aborted call rejects with: the signal's reason when it is already a Baton error (the engine
 * aborts with a `CancelledError` or `TimeoutError`), a `TimeoutError` for a DOM timeout reason
 * (`AbortSignal.timeout`), and a `CancelledError` carrying the reason otherwise.
 */
export function abortError(signal: AbortSignal): BatonError {
  const reason: unknown = signal.reason;
  if (isBatonError(reason)) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError(reason.message || 'the agent call ran past its deadline', { cause: reason });
  }
  const message = typeof reason === 'string' && reason !== '' ? reason : 'the agent call was cancelled';
  return new CancelledError(message, { cause: reason });
}

/** Throws the abort error when the signal has fired; use it between steps of a long piece of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * Waits `ms` on the given clock. Rejects with the abort error as soon as the signal fires, and cancels the
 * timer then, so an aborted wait holds nothing.
 */
export function abortableDelay(ms: number, signal: AbortSignal, clock: Clock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(abortError(signal));
    };
    const cancel = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `work`, unless the signal fires first: then rejects with the abort error at once. The work's
 * own late rejection is swallowed, since nobody waits for it any more.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => undefined);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
