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
  /** The worker's output track: settles once connect() has asked for it (this transport connects once). */
  readonly output: Promise<MediaStreamTrack>;
  private readonly input: MediaStreamTrack;
  private readonly settleOutput: (track: Promise<MediaStreamTrack>) => void;
  private clone: MediaStreamTrack | null = null;

  constructor(input: MediaStreamTrack) {
    this.input = input;
    let settle: (track: Promise<MediaStreamTrack>) => void = () => undefined;
    this.output = new Promise<MediaStreamTrack>((resolve) => {
      settle = resolve;
    });
    this.settleOutput = settle;
    // A start that fails before the track comes rejects this; the run reports that failure itself.
    this.output.catch(() => undefined);
  }

  connect(bridge: WorkerBridge, signal: AbortSignal): TransportConnection {
    // Transfer a clone: the caller keeps its own track.
    const clone = this.input.clone();
    this.clone = clone;
    this.settleOutput(bridge.once('output-track', signal).then((message) => message.track));
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
