import type { WorkerToMain } from '../contract/protocol.js';
import { BlurError } from './blur-error.js';

/** BlurErrors made from worker messages, which the `error` event already announced. */
const reportedByWorker = new WeakSet<BlurError>();

/** Whether `error` came from the worker, whose `error` event the page has had already. */
export function wasReportedByWorker(error: BlurError): boolean {
  return reportedByWorker.has(error);
}

/** Turns a rejection of `WorkerBridge.once` by a fatal worker error into a BlurError of its type; rethrows anything else. */
export function rethrowAsBlurError(error: unknown): never {
  const workerError = (error as { workerError?: Extract<WorkerToMain, { type: 'error' }> } | null)?.workerError;
  if (!workerError) throw error;
  const blurError = new BlurError(workerError.errorType, workerError.message, { cause: error });
  reportedByWorker.add(blurError);
  throw blurError;
}
