/** Where processed frames go: the generator's stream, or a canvas the page captures. */
export interface FrameSink {
  /** Takes ownership of `frame` and closes it. Rejects when nobody listens any more. */
  write(frame: VideoFrame): Promise<void>;
  close(): Promise<void>;
}

/** Insertable streams: the MediaStreamTrackGenerator's (or VideoTrackGenerator's) writable. */
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

/** Canvas capture: sends each frame to the page, which draws it into the captured canvas. */
export class PostFrameSink implements FrameSink {
  constructor(private readonly post: (frame: VideoFrame) => void) {}

  async write(frame: VideoFrame): Promise<void> {
    // Transferred, so the page owns (and closes) it from here.
    this.post(frame);
  }

  async close(): Promise<void> {
    // Nothing to release: the page owns the captured canvas.
  }
}
