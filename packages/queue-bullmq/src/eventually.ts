/**
 * Polls `check` every few milliseconds until it stops throwing, and fails with its last error after
 * `timeoutMs`. For tests of things that happen over a socket, where there is no event to await.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
