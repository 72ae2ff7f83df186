/**
 * Settles as `work` does, or rejects with `makeError()` after `ms`, whichever
 * comes first; the timer is cleared either way. A wait on a camera or a worker
 * that never answers must become an error, not a start() that hangs.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(makeError()), ms);
  });
  // Settled either way; after a timeout, its late rejection must not go unhandled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
