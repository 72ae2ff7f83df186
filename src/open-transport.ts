import { CanvasCaptureTransport } from './canvas-capture-transport.js';
import type { TransportKind } from './capability-ladder.js';
import { InsertableStreamsTransport } from './insertable-streams-transport.js';
import { TrackTransport } from './track-transport.js';
import type { Transport } from './transport.js';

/**
 * Opens the transport the ladder chose for `input`. `sendFrame` carries canvas
 * capture's camera frames to whichever worker runs now. A stop() that comes
 * while canvas capture's `<video>` starts releases it here: the processor's
 * teardown ran already and cannot see it.
 */
export async function openTransport(kind: TransportKind, input: MediaStreamTrack, sendFrame: (frame: VideoFrame) => void, signal: AbortSignal): Promise<Transport> {
  switch (kind) {
    case 'streams':
      return new InsertableStreamsTransport(input);
    case 'track':
      return new TrackTransport(input);
    case 'frames': {
      const capture = await CanvasCaptureTransport.create(input, sendFrame);
      if (signal.aborted) {
        capture.stop();
        throw signal.reason;
      }
      return capture;
    }
  }
}
