/** Error categories a user or app can act on; `detail.type` of the `error` event. */
export type BlurErrorType =
  | 'permission-denied'
  | 'no-camera'
  | 'camera-busy'
  | 'camera-ended'
  | 'model-load'
  | 'gpu-lost'
  | 'worker-crashed'
  | 'unsupported'
  /** A background image or video could not be loaded or used; the output shows the blur instead. */
  | 'background-load'
  /** An option the page set cannot be used (an `assets-url` on another origin, or not http(s)); nothing started. */
  | 'invalid-config';

/** An Error as data, the way it can cross postMessage intact. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}
