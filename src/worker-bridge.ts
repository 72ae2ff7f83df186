import type { MainToWorker, WorkerToMain } from '../contract/protocol.js';

type Listener = (message: WorkerToMain) => void;

/**
 * The main thread's end of the worker: typed `send`, typed `once` for replies,
 * and one place that turns a crashed worker into a message like any other.
 */
export class WorkerBridge {
  private readonly worker: Worker;
  private readonly listeners = new Set<Listener>();
  private terminated = false;

  /** `worker` is started by the caller (in the form bundlers recognise); `name` names it in messages. */
  constructor(worker: Worker, name: string) {
    this.worker = worker;
    this.worker.addEventListener('message', (event: MessageEvent<WorkerToMain>) => this.dispatch(event.data));
    this.worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      this.dispatch({
        type: 'error',
        errorType: 'worker-crashed',
        message: `The blur worker crashed: ${event.message || 'it could not be loaded'} (${name})`,
        fatal: true,
      });
    });
  }

  get alive(): boolean {
    return !this.terminated;
  }

  /** Posts `message`; false when the worker is gone, so the caller still owns (and must close) what it meant to transfer. */
  send(message: MainToWorker, transfer: Transferable[] = []): boolean {
    if (this.terminated) return false;
    this.worker.postMessage(message, transfer);
    return true;
  }

  /** Calls `listener` for every message until the returned function is called. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first message of `type`; rejects when the worker reports a fatal error first or `signal` aborts. */
  once<T extends WorkerToMain['type']>(type: T, signal?: AbortSignal): Promise<Extract<WorkerToMain, { type: T }>> {
    return new Promise((resolve, reject) => {
      const stop = this.listen((message) => {
        if (message.type === type) {
          cleanup();
          resolve(message as Extract<WorkerToMain, { type: T }>);
        } else if (message.type === 'error' && message.fatal) {
          cleanup();
          reject(Object.assign(new Error(message.message), { workerError: message }));
        }
      });
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const cleanup = (): void => {
        stop();
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort);
      if (signal?.aborted) onAbort();
    });
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.worker.terminate();
    this.listeners.clear();
  }

  private dispatch(message: WorkerToMain): void {
    for (const listener of [...this.listeners]) listener(message);
  }
}
