import type { WorkerToMain } from '../contract/protocol.js';
import type { Transport, TransportConnection } from './transport.js';
import type { WorkerBridge } from './worker-bridge.js';

/**
 * The W3C form of insertable streams (Safari 18): a clone of the camera track
 * is transferred to the worker, which reads it with MediaStreamTrackProcessor
 * and answers with its VideoTrackGenerator's track, transferred back. The
 * output lives in the worker, so a worker that dies takes it along: this
 * transport cannot be reconnected.
 */
export class TrackTransport implements Transport {
  readonly kind = 'track';
  readonly reconnectable = false;
  output: Promise<MediaStreamTrack> = Promise.reject(new Error('the track transport was never connected'));
  private readonly input: MediaStreamTrack;
  private clone: MediaStreamTrack | null = null;

  constructor(input: MediaStreamTrack) {
    this.input = input;
    this.output.catch(() => undefined);
  }

  connect(bridge: WorkerBridge, signal: AbortSignal): TransportConnection {
    // Transfer a clone: the caller keeps its own track.
    const clone = this.input.clone();
    this.clone = clone;
    this.output = bridge.once('output-track', signal).then((message) => message.track);
    this.output.catch(() => undefined);
    return { init: { kind: 'track', track: clone }, transfer: [clone as unknown as Transferable] };
  }

  onWorkerMessage(message: WorkerToMain): void {
    if (message.type === 'output-frame') message.frame.close();
  }

  stop(): void {
    // A track that arrives after stop() is ended as it comes.
    void this.output.then(
      (track) => track.stop(),
      () => undefined,
    );
    try {
      // The worker had it; in WebKit the page's handle of a transferred track throws here, and the worker's copy ended with the worker.
      this.clone?.stop();
    } catch {
      // Nothing left to stop.
    }
    this.clone = null;
  }
}
