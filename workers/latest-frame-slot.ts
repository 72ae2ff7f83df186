/**
 * Holds at most one waiting frame. When the pipeline is busy and a newer frame
 * arrives, the older one is closed and counted as dropped: a late frame is
 * worth less than a fresh one, and queueing without bound only adds latency.
 */
export class LatestFrameSlot {
  private frame: VideoFrame | null = null;
  private waiter: ((frame: VideoFrame | null) => void) | null = null;
  private ended = false;
  dropped = 0;

  put(frame: VideoFrame): void {
    if (this.ended) {
      frame.close();
      return;
    }
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve(frame);
      return;
    }
    if (this.frame) {
      this.frame.close();
      this.dropped++;
    }
    this.frame = frame;
  }

  /** Resolves with the freshest frame, or null once the slot has ended. */
  take(): Promise<VideoFrame | null> {
    if (this.frame) {
      const frame = this.frame;
      this.frame = null;
      return Promise.resolve(frame);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Closes any waiting frame and wakes the consumer with null. */
  end(): void {
    this.ended = true;
    this.frame?.close();
    this.frame = null;
    const resolve = this.waiter;
    this.waiter = null;
    resolve?.(null);
  }
}
