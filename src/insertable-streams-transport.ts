/**
 * Tier 1 and 2's transport: Chromium's main-thread MediaStreamTrackProcessor
 * and MediaStreamTrackGenerator, whose streams are transferred to the worker so
 * that frames never run through the page's main thread.
 */
export interface StreamTransport {
  readonly readable: ReadableStream<VideoFrame>;
  readonly writable: WritableStream<VideoFrame>;
  /** The processed track, live as soon as the worker writes to `writable`. */
  readonly output: MediaStreamTrack;
}

export function createInsertableStreamsTransport(input: MediaStreamTrack): StreamTransport {
  // A buffer of one: when the worker is busy the processor drops the older frame, never queues.
  const processor = new MediaStreamTrackProcessor({ track: input, maxBufferSize: 1 });
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  return { readable: processor.readable, writable: generator.writable, output: generator };
}
