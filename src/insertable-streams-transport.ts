import type { WorkerToMain } from '../contract/protocol.js';
import type { Transport, TransportConnection } from './transport.js';

/**
 * Tier 1 and 2's transport: Chromium's main-thread MediaStreamTrackProcessor
 * and MediaStreamTrackGenerator. Each worker gets a processor's readable,
 * transferred (Chromium moves its source to the worker, so camera frames skip
 * the main thread). Processed frames come back as transferred VideoFrames and
 * are written here into the generator, which stays on the page: a worker that
 * dies takes nothing with it, and its replacement writes to the same output
 * track, the one an RTCPeerConnection may be sending.
 */
export class InsertableStreamsTransport implements Transport {
  readonly kind = 'streams';
  readonly reconnectable = true;
  /** The processed track, live as soon as a frame is delivered. */
  readonly output: Promise<MediaStreamTrack>;
  private readonly generator: MediaStreamTrackGenerator;
  private readonly input: MediaStreamTrack;
  private readonly writer: WritableStreamDefaultWriter<VideoFrame>;
  /** Whether the generator is still taking the last frame written. */
  private writing = false;
  /** The newest frame that came while one was being written: the next to write. */
  private waiting: VideoFrame | null = null;
  private stopped = false;

  constructor(input: MediaStreamTrack) {
    this.input = input;
    const generator = new MediaStreamTrackGenerator({ kind: 'video' });
    this.writer = generator.writable.getWriter();
    this.generator = generator;
    this.output = Promise.resolve(generator);
  }

  /** A fresh readable of the camera's frames, transferred to a (new) worker. */
  connect(): TransportConnection {
    // A buffer of one: when the worker is busy the processor drops the older frame, never queues.
    const readable = new MediaStreamTrackProcessor({ track: this.input, maxBufferSize: 1 }).readable;
    return { init: { kind: 'streams', readable }, transfer: [readable] };
  }

  onWorkerMessage(message: WorkerToMain): void {
    if (message.type === 'output-frame') this.deliver(message.frame);
  }

  /**
   * Writes a processed frame to the output track; the generator closes it.
   * One write at a time: a frame that comes while the generator still takes
   * the last one waits here, and a newer one replaces (and closes) it. Frames
   * queued inside the generator's stream could not be closed by us if it
   * stalled or was collected, and a queue only adds latency.
   */
  private deliver(frame: VideoFrame): void {
    if (this.stopped) {
      frame.close();
      return;
    }
    if (this.writing) {
      this.waiting?.close();
      this.waiting = frame;
      return;
    }
    this.writing = true;
    this.writer
      .write(frame)
      .catch(() => frame.close())
      .finally(() => {
        this.writing = false;
        const next = this.waiting;
        this.waiting = null;
        if (next) this.deliver(next);
      });
  }

  /** Ends the output track. */
  stop(): void {
    this.stopped = true;
    this.waiting?.close();
    this.waiting = null;
    void this.writer.close().catch(() => undefined);
    this.generator.stop();
  }
}
