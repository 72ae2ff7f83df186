/**
 * Holds at most one waiting item (a frame, or a frame with its mask). When
 * the consumer is busy and a newer one arrives, the older is closed and
 * counted as dropped: a late frame is worth less than a fresh one, and
 * queueing without bound only adds latency.
 */
export class LatestFrameSlot<T extends { close(): void } = VideoFrame> {
  private item: T | null = null;
  private waiter: ((item: T | null) => void) | null = null;
  private emptyWaiters: (() => void)[] = [];
  private ended = false;
  dropped = 0;

  put(item: T): void {
    if (this.ended) {
      item.close();
      return;
    }
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve(item);
      this.notifyEmpty();
      return;
    }
    if (this.item) {
      this.item.close();
      this.dropped++;
    }
    this.item = item;
  }

  /** Resolves with the freshest item, or null once the slot has ended. */
  take(): Promise<T | null> {
    if (this.item) {
      const item = this.item;
      this.item = null;
      this.notifyEmpty();
      return Promise.resolve(item);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Resolves once nothing waits in the slot (the consumer took it, or the slot ended). */
  whenEmpty(): Promise<void> {
    if (!this.item || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Closes any waiting item and wakes the consumer with null. */
  end(): void {
    this.ended = true;
    this.item?.close();
    this.item = null;
    const resolve = this.waiter;
    this.waiter = null;
    resolve?.(null);
    this.notifyEmpty();
  }

  private notifyEmpty(): void {
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
