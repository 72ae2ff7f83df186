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
