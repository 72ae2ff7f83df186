/** Test helpers that feed known frames into a track and read frames back out of one. */

export async function loadBitmap(url: string): Promise<ImageBitmap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return createImageBitmap(await response.blob());
}

export interface StillTrack {
  readonly track: MediaStreamTrack;
  /** Frames written so far; their timestamps are index × frame interval. */
  readonly written: () => number;
  readonly stop: () => void;
}

/** A live video track that repeats one image, like a camera pointed at a still scene. */
export function trackFromStill(image: ImageBitmap, fps = 30): StillTrack {
  if (typeof MediaStreamTrackGenerator !== 'function') return canvasTrackFromStill(image, fps);
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const intervalUs = Math.round(1e6 / fps);
  let index = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const frame = new VideoFrame(image, { timestamp: index * intervalUs, duration: intervalUs });
    index++;
    writer.write(frame).catch(() => frame.close()).finally(() => {
      frame.close();
      busy = false;
    });
  }, 1000 / fps);
  return {
    track: generator,
    written: () => index,
    stop: () => {
      clearInterval(timer);
      generator.stop();
    },
  };
}

/** Firefox and WebKit have no track generator: a captured canvas, redrawn at `fps`, gives the same steady camera. */
function canvasTrackFromStill(image: ImageBitmap, fps: number): StillTrack {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d')!;
  const [track] = canvas.captureStream(fps).getVideoTracks();
  let index = 0;
  const draw = (): void => {
    context.drawImage(image, 0, 0);
    index++;
  };
  draw();
  const timer = setInterval(draw, 1000 / fps);
  return {
    track: track!,
    written: () => index,
    stop: () => {
      clearInterval(timer);
      track!.stop();
    },
  };
}

export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly timestamp: number;
}

export function framePixels(frame: VideoFrame): Pixels {
  const canvas = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(frame, 0, 0);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  return { width: image.width, height: image.height, data: image.data, timestamp: frame.timestamp };
}

export function bitmapPixels(bitmap: ImageBitmap): Pixels {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  return { width: image.width, height: image.height, data: image.data, timestamp: 0 };
}

export interface FrameReader {
  /** Reads the next frame's pixels and closes the frame. */
  next(): Promise<Pixels>;
  /** Reads frames until `accept` returns true for one; returns that frame's pixels. */
  until(accept: (frame: VideoFrame) => boolean, limit?: number): Promise<Pixels>;
  cancel(): Promise<void>;
}

/** Reads a track's frames on the main thread (tests only). */
export function readTrack(track: MediaStreamTrack): FrameReader {
  if (typeof MediaStreamTrackProcessor !== 'function') return readTrackThroughVideo(track);
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const read = async (): Promise<VideoFrame> => {
    const { value, done } = await reader.read();
    if (done || !value) throw new Error('the track ended');
    return value;
  };
  return frameReader(read, () => cancelClosingQueued(reader));
}

/**
 * Cancels without dropping a frame unclosed: `reader.cancel()` empties the
 * stream's queue without closing what is in it, and the processor can hold a
 * frame there that it pulled ahead of any read. Chromium then reports "A
 * VideoFrame was garbage collected without being closed" seconds later, which
 * the frame-leak test would blame on the product. So every frame already
 * queued (a read of one settles at once) is taken and closed first; a read
 * still waiting when the reader is cancelled ends `done`, or gets a frame that
 * arrived meanwhile, which is closed too.
 */
async function cancelClosingQueued(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
  const nothingQueued = Symbol('nothing queued');
  for (;;) {
    const next = reader.read();
    const result = await Promise.race([next, Promise.resolve(nothingQueued)]);
    if (result === nothingQueued) {
      await reader.cancel();
      (await next.catch(() => ({ value: undefined }))).value?.close();
      return;
    }
    if (result.done) return;
    result.value.close();
  }
}

/** Firefox has no track processor: play the track in a `<video>` and take each new frame from it. */
function readTrackThroughVideo(track: MediaStreamTrack): FrameReader {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  const playing = video.play();
  // A reader cancelled before its first read (the track ended first) aborts play(): WebKit rejects it
  // with AbortError, which must not go unhandled; a read still awaits `playing` and sees it.
  playing.catch(() => undefined);
  let stopped = false;
  const read = async (): Promise<VideoFrame> => {
    await playing;
    for (;;) {
      if (stopped || track.readyState === 'ended') throw new Error('the track ended');
      await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
      if (video.videoWidth === 0) continue;
      try {
        return new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
      } catch (error) {
        // WebKit sometimes has no frame to give between two callbacks of a canvas-captured track; the next one does.
        if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
      }
    }
  };
  return frameReader(read, async () => {
    stopped = true;
    video.pause();
    video.srcObject = null;
  });
}

/** A FrameReader over any source of frames. */
function frameReader(read: () => Promise<VideoFrame>, cancel: () => Promise<void>): FrameReader {
  return {
    async next() {
      const frame = await read();
      try {
        return framePixels(frame);
      } finally {
        frame.close();
      }
    },
    async until(accept, limit = 600) {
      for (let i = 0; i < limit; i++) {
        const frame = await read();
        try {
          if (accept(frame)) return framePixels(frame);
        } finally {
          frame.close();
        }
      }
      throw new Error(`no accepted frame within ${limit} frames`);
    },
    cancel,
  };
}
