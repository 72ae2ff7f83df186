import type { Compositor } from '../gpu/compositor.js';
import { SIGMA_MIN } from '../contract/options.js';

/**
 * A backend proves that it blurs before it is trusted with a camera.
 *
 * WebKit has no `filter` on a 2D context, so a compositor built on `ctx.filter`
 * passed the room through untouched while the badge said it was blurring. No
 * feature check would have caught that; a measurement does. The canary is a
 * fine checkerboard with no mask, rendered at the slider's lowest sigma, which
 * is what the first frames of a real camera get. Its detail must fall at least
 * fivefold and its mean brightness must survive (a black frame is no blur).
 */

/** The canary's size: big enough that every compositor blurs a downsampled copy as it would a camera frame. */
const CANARY_WIDTH = 640;
const CANARY_HEIGHT = 360;
/** Output detail over canary detail above this: the backend did not blur. */
const MAX_DETAIL_RATIO = 0.2;
/** Relative change of mean brightness above this: the backend rendered something other than the frame. */
const MAX_MEAN_SHIFT = 0.15;

export interface BlurProof {
  readonly ok: boolean;
  /** Laplacian energy of the output over that of the canary. */
  readonly detailRatio: number;
  /** |mean(output) − mean(canary)| / mean(canary). */
  readonly meanShift: number;
  /** Milliseconds for the fastest of the warm renders and read-backs: how the tier picks its fastest renderer. */
  readonly renderMs: number;
  /** Why the proof failed; empty when it passed. */
  readonly reason: string;
}

/** 4×4-pixel black and white squares, as RGBA. */
function canaryPixels(): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(CANARY_WIDTH * CANARY_HEIGHT * 4);
  for (let y = 0; y < CANARY_HEIGHT; y++) {
    for (let x = 0; x < CANARY_WIDTH; x++) {
      const value = ((x >> 2) + (y >> 2)) % 2 === 0 ? 235 : 20;
      const i = (y * CANARY_WIDTH + x) * 4;
      data[i] = value;
      data[i + 1] = value;
      data[i + 2] = value;
      data[i + 3] = 255;
    }
  }
  return data;
}

function canaryFrame(pixels: Uint8ClampedArray<ArrayBuffer>, timestamp: number): VideoFrame {
  return new VideoFrame(pixels, { format: 'RGBA', codedWidth: CANARY_WIDTH, codedHeight: CANARY_HEIGHT, timestamp });
}

/** Formats whose pixels copyTo() lays out as 4 bytes each; the canary is grey, so their channel order does not matter. */
const FOUR_BYTE_FORMATS: ReadonlySet<VideoPixelFormat | null> = new Set<VideoPixelFormat | null>(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

/**
 * Reads a frame's pixels: a copy where the frame holds 4-byte pixels (the CPU
 * renderer's), else through a 2D canvas, which every engine can do in a
 * worker. Read through the worker's canvas, one WebKit run under load saw the
 * CPU renderer's canary nearly black and refused a renderer that blurs; a
 * copy takes no canvas in between.
 */
async function readPixels(frame: VideoFrame): Promise<Uint8ClampedArray> {
  const size = frame.displayWidth * frame.displayHeight * 4;
  if (FOUR_BYTE_FORMATS.has(frame.format) && frame.allocationSize() === size) {
    const data = new Uint8ClampedArray(size);
    await frame.copyTo(data);
    return data;
  }
  const canvas = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2d context to read the canary back');
  context.drawImage(frame, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height).data;
}

/** Mean luma and mean squared 4-neighbour Laplacian of luma, away from an 8-pixel border. */
function measure(data: Uint8ClampedArray, width: number, height: number): { mean: number; detail: number } {
  const luma = (x: number, y: number): number => {
    const i = (y * width + x) * 4;
    return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  };
  let sum = 0;
  let energy = 0;
  let n = 0;
  for (let y = 8; y < height - 8; y++) {
    for (let x = 8; x < width - 8; x++) {
      const centre = luma(x, y);
      const laplacian = 4 * centre - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) - luma(x, y + 1);
      sum += centre;
      energy += laplacian * laplacian;
      n++;
    }
  }
  return { mean: sum / n, detail: energy / n };
}

/** Renders: the first warms shaders and buffers, the rest are timed. */
const CANARY_PASSES = 4;

/**
 * Renders the canary with no mask and measures what came out. The time is the
 * fastest warm pass: one pass on two busy cores varied from 8 to 54 ms, enough
 * to pick a software GPU over the CPU. Leaves the compositor without a mask,
 * as a new one is.
 */
export async function proveBlur(compositor: Compositor): Promise<BlurProof> {
  const pixels = canaryPixels();
  const input = measure(pixels, CANARY_WIDTH, CANARY_HEIGHT);
  compositor.clearMasks();
  let output: Uint8ClampedArray = new Uint8ClampedArray(0);
  let renderMs = Infinity;
  for (let pass = 0; pass < CANARY_PASSES; pass++) {
    const frame = canaryFrame(pixels, pass);
    const started = performance.now();
    let rendered: VideoFrame | null = null;
    try {
      rendered = await compositor.render(frame, { sigma: SIGMA_MIN, view: 'composite', refinement: 'refined', lightWrap: 0, edgeHold: 0 }, {});
      output = await readPixels(rendered);
    } finally {
      rendered?.close();
      frame.close();
    }
    if (pass > 0) renderMs = Math.min(renderMs, performance.now() - started);
  }
  const result = measure(output, CANARY_WIDTH, CANARY_HEIGHT);
  const detailRatio = result.detail / input.detail;
  const meanShift = Math.abs(result.mean - input.mean) / input.mean;
  let reason = '';
  if (!(detailRatio <= MAX_DETAIL_RATIO)) reason = `its blur left ${(detailRatio * 100).toFixed(0)}% of a test pattern's detail (at most ${MAX_DETAIL_RATIO * 100}% is a blur)`;
  else if (!(meanShift <= MAX_MEAN_SHIFT)) reason = `it changed a test pattern's brightness by ${(meanShift * 100).toFixed(0)}% instead of blurring it`;
  return { ok: reason === '', detailRatio, meanShift, renderMs, reason };
}
