/**
 * Where processed frames go: into a VideoTrackGenerator in this worker (the
 * W3C transport), or back to the page, which writes them to its
 * MediaStreamTrackGenerator (Chromium's streams) or draws them into its
 * captured canvas (canvas capture).
 */
export interface FrameSink {
  /** Takes ownership of `frame` and closes it. Rejects when nobody listens any more. */
  write(frame: VideoFrame): Promise<void>;
  close(): Promise<void>;
}

/** The W3C transport: the writable of the worker's VideoTrackGenerator. */
export class StreamFrameSink implements FrameSink {
  private readonly writer: WritableStreamDefaultWriter<VideoFrame>;

  constructor(writable: WritableStream<VideoFrame>) {
    this.writer = writable.getWriter();
  }

  async write(frame: VideoFrame): Promise<void> {
    try {
      await this.writer.write(frame);
    } finally {
      // The generator takes the frame over; closing again is a no-op that guards every path.
      frame.close();
    }
  }

  async close(): Promise<void> {
    await this.writer.close().catch(() => undefined);
  }
}

/**
 * Chromium's streams and canvas capture: transfers each frame to the page as
 * an `output-frame` message; the page's generator or captured canvas takes it.
 */
export class PostFrameSink implements FrameSink {
  constructor(private readonly post: (frame: VideoFrame) => void) {}

  async write(frame: VideoFrame): Promise<void> {
    // Transferred, so the page owns (and closes) it from here.
    this.post(frame);
  }

  async close(): Promise<void> {
    // Nothing to release: the page owns the generator or the captured canvas.
  }
}
