/**
 * Runs one step of a longer task with a signal of its own, which aborts when
 * `signal` does (the step rejects with the signal's reason) or when the step
 * has taken `ms` (it rejects with the error `onTimeout` makes then). The step
 * should stop its work when its signal aborts; a step that cannot be stopped
 * (a decode) and finishes late has its result handed to `discard`. The timer
 * and the listener go on every path.
 */
export function withTimeout<T>(
  signal: AbortSignal,
  ms: number,
  onTimeout: () => Error,
  step: (stepSignal: AbortSignal) => Promise<T>,
  discard?: (late: T) => void,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!settle()) return;
      reject(signal.reason);
      controller.abort(signal.reason);
    };
    const timer = setTimeout(() => {
      if (!settle()) return;
      const error = onTimeout();
      reject(error);
      controller.abort(error);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    let work: Promise<T>;
    try {
      work = step(controller.signal);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (value) => {
        if (settle()) resolve(value);
        else discard?.(value);
      },
      (error: unknown) => {
        // After a timeout or an abort the step's own rejection is expected, and already answered.
        if (settle()) reject(error);
      },
    );
  });
}

/**
 * Settles as `work` does, or rejects with `makeError()` after `ms`, whichever
 * comes first: a wait on a camera or a worker that never answers must become
 * an error, not a start() that hangs. For work that cannot be stopped.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  return withTimeout(new AbortController().signal, ms, makeError, () => work);
}
