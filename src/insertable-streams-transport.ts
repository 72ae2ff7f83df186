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

  /** Writes a processed frame to the output track; the generator closes it. */
  private deliver(frame: VideoFrame): void {
    if (this.stopped) {
      frame.close();
      return;
    }
    this.writer.write(frame).catch(() => frame.close());
  }

  /** Ends the output track. */
  stop(): void {
    this.stopped = true;
    void this.writer.close().catch(() => undefined);
    this.generator.stop();
  }
}
