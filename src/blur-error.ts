import type { BlurErrorType } from '../contract/errors.js';

export type { BlurErrorType };

/** An error a page can act on; its `type` is the `error` event's `detail.type`. */
export class BlurError extends Error {
  readonly type: BlurErrorType;
  constructor(type: BlurErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlurError';
    this.type = type;
  }
}
