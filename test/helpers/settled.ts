import { BlurProcessor, type BlurProcessorOptions } from '../../dist/blur-camera.js';
import { loadBitmap, readTrack, trackFromStill, bitmapPixels, type FrameReader, type Pixels, type StillTrack } from './frames.js';

export interface StillRun {
  readonly processor: BlurProcessor;
  readonly input: Pixels;
  readonly reader: FrameReader;
  readonly still: StillTrack;
  /** The next output frame after at least `masks` masks have been made (the 3-mask average is full). */
  settled(masks?: number): Promise<Pixels>;
  stop(): Promise<void>;
}

/**
 * Feeds a still image as a steady camera through a real BlurProcessor. The
 * frame-budget governor is off unless asked for, so that what a test checks
 * does not depend on how fast this machine is.
 */
export async function runStill(url: string, options: BlurProcessorOptions = {}, before?: (processor: BlurProcessor) => void): Promise<StillRun> {
  const bitmap = await loadBitmap(url);
  const input = bitmapPixels(bitmap);
  const still = trackFromStill(bitmap);
  const processor = new BlurProcessor(still.track, { adaptive: false, ...options });
  before?.(processor);
  const output = await processor.start();
  const reader = readTrack(output);
  return {
    processor,
    input,
    reader,
    still,
    settled: async (masks = 4) => {
      const started = processor.stats.masks;
      await reader.until(() => processor.stats.masks >= Math.max(masks, started + 1));
      return reader.next();
    },
    stop: async () => {
      await reader.cancel().catch(() => undefined);
      await processor.stop();
      still.stop();
      bitmap.close();
    },
  };
}

/** The share of pixels with R, G and B within `tolerance` of each other: the mask view draws the mask as grey. */
export function greyShare(pixels: Pixels, tolerance = 2): number {
  let grey = 0;
  const { data } = pixels;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i]! - data[i + 1]!) <= tolerance && Math.abs(data[i + 1]! - data[i + 2]!) <= tolerance) grey++;
  }
  return grey / (data.length / 4);
}

/**
 * The first output frame in the mask view, after `view = 'mask'`: frames made
 * before the worker got the option (queued in the reader, or in flight in a
 * slow pipeline: SwiftShader's WebGL2 takes ~250 ms a frame) still show the
 * composite, so a fixed number of reads is not enough. The tolerance allows
 * for the colour conversions of a captured canvas read through a <video>
 * (WebKit); the portrait's composite is far from 98% grey even so.
 */
export async function nextMaskView(reader: FrameReader, limit = 30): Promise<Pixels> {
  for (let i = 0; i < limit; i++) {
    const pixels = await reader.next();
    if (greyShare(pixels, 6) > 0.98) return pixels;
  }
  throw new Error(`no frame in the mask view within ${limit} frames`);
}
