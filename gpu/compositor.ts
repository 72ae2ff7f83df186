/**
 * The contract between the worker's frame pipeline and a rendering backend.
 * Three implement it: WebGPU (gpu/webgpu/), WebGL2 (gpu/webgl2/) and the
 * CPU's typed-array loops (gpu/cpu/). The worker starts the one its tier
 * names (the CPU one where that tier's GPU is a software one); the pipeline
 * never branches on which it got.
 */

import { MASK_HISTORY_LENGTH } from './refine-constants.js';
import type { Backend } from '../contract/backend.js';
import type { MaskRefinement } from '../contract/options.js';
import type { Background } from '../contract/background.js';
import type { FrameRoutes } from '../contract/stats.js';

/** What the output shows: the composite, or the refined person mask as grey for debugging. */
export type CompositorView = 'composite' | 'mask';

export type { MaskRefinement, Background };

/** How many masks each refinement averages. */
export function historyLength(refinement: MaskRefinement): number {
  return refinement === 'naive' ? 1 : MASK_HISTORY_LENGTH;
}

/** A person-confidence mask in CPU memory: 0 is background, 1 is person, row-major. */
export interface ConfidenceMask {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface RenderParams {
  /** Blur strength in full-resolution pixels. */
  readonly sigma: number;
  readonly view: CompositorView;
  readonly refinement: MaskRefinement;
  /** Light wrap strength for a replaced background, 0 (off) to 1 (see LIGHT_WRAP_STRENGTH). */
  readonly lightWrap: number;
  /** The guided edge's hold, 0 (off) to 1 (see EDGE_HOLD); other refinements ignore it. */
  readonly edgeHold: number;
}

/**
 * Milliseconds spent per stage, filled in by the compositor. In profiling mode
 * each stage waits for the GPU, so the figures are the GPU's; otherwise they
 * are the time to record and submit the work.
 */
export interface CompositorTimings {
  /** Copying the frame's planes out of the VideoFrame into the backend's memory (GPU textures, or typed arrays on the CPU). */
  upload?: number;
  scale?: number;
  readback?: number;
  refine?: number;
  blur?: number;
  composite?: number;
  /**
   * The lower rows' composite on the CPU renderer's helper thread, timed
   * there; meanwhile the worker composites the rest, and `composite` is the
   * wall time of both.
   */
  band?: number;
}

export interface Compositor {
  /** Reported in `stats.compositor`. */
  readonly name: Backend;
  /**
   * Whether `prepareModelInput` and `pushMask` for one frame may run while
   * `render` of another is in progress, so the pipeline can segment frame N+1
   * while it composites frame N.
   */
  readonly overlaps: boolean;
  /** Bytes of GPU textures and buffers held now; null where the backend cannot count them. */
  readonly gpuBytes: number | null;
  /** How frames enter and leave the GPU (the WebGPU compositor's routes); absent for the others. */
  readonly frameRoutes?: FrameRoutes;
  /** Whether `render` has a refined mask to apply; false means the whole frame is blurred. */
  readonly hasMask: boolean;
  /** Downscales the frame to the segmenter's input size and returns its pixels. */
  prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData>;
  /**
   * Refines a new confidence mask and adds it to the history that `render`
   * averages. `guide` is the model's input for that mask (the frame at the
   * mask's size), which the `guided` refinement follows.
   */
  pushMask(mask: ConfidenceMask, guide: ImageData, refinement: MaskRefinement, timings: CompositorTimings): Promise<void>;
  /** Forgets every mask, so that the next frames are blurred whole (fail closed). */
  clearMasks(): void;
  /**
   * What stands behind the person from the next `render` on. The compositor
   * fits and uploads it once (and again only when it or the frame size
   * changes); it never closes the image, which stays the caller's.
   */
  setBackground(background: Background): void;
  /**
   * Starts the threads it renders with beside the worker's own (the CPU
   * renderer's composite helper); safe to call again. The pipeline calls it
   * once the segmenter has given a mask, never during the blur check: a
   * nested worker started during the check hung Firefox's blur worker now and
   * then (the segmenter's did in an earlier build, and this helper's in a CI run).
   */
  startHelperThreads?(): void;
  /** Renders the output for `frame`; the caller owns and closes both frames. */
  render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame>;
  /** Releases every resource it holds (GPU textures and buffers, or typed arrays). Safe to call twice. */
  destroy(): void;
}
