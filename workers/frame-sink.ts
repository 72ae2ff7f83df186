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

/** Pixel buffers kept for reuse: one in flight to the page, one being filled, one spare. */
const SPARE_PIXEL_BUFFERS = 3;

/**
 * Canvas capture into a capture canvas kept in memory (WebKit's): an RGBA
 * frame's pixels are copied here, on the worker, into a buffer that is
 * transferred as an `output-pixels` message, so the page's only work is one
 * putImageData. The page sends each buffer back (`recycle`), so at 30 fps no
 * new 3.7 MB buffer is made per frame. Frames in other formats, and a frame
 * whose copy fails, go as VideoFrames, as `PostFrameSink` sends them: the
 * page draws those instead, so a failed copy never freezes the output.
 */
export class PixelFrameSink implements FrameSink {
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly postPixels: (pixels: ArrayBuffer, width: number, height: number) => void,
    private readonly postFrame: (frame: VideoFrame) => void,
  ) {}

  async write(frame: VideoFrame): Promise<void> {
    if (frame.format !== 'RGBA' && frame.format !== 'RGBX') {
      this.postFrame(frame);
      return;
    }
    // The visible picture, as the page's drawImage of a VideoFrame would show it.
    const { width, height } = frame.visibleRect ?? { width: frame.displayWidth, height: frame.displayHeight };
    const pixels = this.take(width * height * 4);
    try {
      await frame.copyTo(pixels);
    } catch {
      this.recycle(pixels);
      this.postFrame(frame);
      return;
    }
    frame.close();
    this.postPixels(pixels, width, height);
  }

  /** A buffer the page has drawn, back for reuse. */
  recycle(pixels: ArrayBuffer): void {
    if (this.spare.length < SPARE_PIXEL_BUFFERS) this.spare.push(pixels);
  }

  async close(): Promise<void> {
    this.spare.length = 0;
  }

  private take(bytes: number): ArrayBuffer {
    // A size change (a new camera resolution) leaves the old buffers to the garbage collector.
    while (this.spare.length > 0) {
      const pixels = this.spare.pop()!;
      if (pixels.byteLength === bytes) return pixels;
    }
    return new ArrayBuffer(bytes);
  }
}
