import { RemoteSegmenter } from './remote-segmenter.js';
import { createSegmenter, DEFAULT_SEGMENTER_KIND, fallbackSpec, segmenterSpec } from './segmenter-factory.js';
import type { Segmenter, SegmenterRequest } from './segmenter.js';

/**
 * How long the segmenter worker may take to get MediaPipe ready (a cold start
 * compiles 11 MB of wasm: about 2 s here). Past it, that worker is ended and
 * `model-load` says so; the output stays blurred whole. Seen in Chromium 156
 * over SwiftShader on canvas capture with the CPU renderer (tier 3 forced onto
 * it) on a still input: MediaPipe never returned from making its WebGL
 * context, on any thread, more often than not.
 */
const SEGMENTER_START_TIMEOUT_MS = 8000;

/** Where the blur worker wants its segmenter to run. */
export interface SegmenterPlacement {
  /** The compositor can overlap: segment on a second thread, in the segmenter worker. */
  readonly ownThread: boolean;
  /** Test hook for the segmenter worker: after this many masks it answers no more. */
  readonly stallAfterMasks: number | undefined;
}

/**
 * Starts the blur worker's segmenter for `request`: the factory's runtime, on
 * its own thread where the compositor overlaps, else on this one. When that
 * start fails, the runtime's fallback (MediaPipe: its CPU delegate) is tried
 * once on this thread.
 */
export async function loadSegmenter(request: SegmenterRequest, placement: SegmenterPlacement): Promise<Segmenter> {
  const spec = segmenterSpec(DEFAULT_SEGMENTER_KIND, request);
  try {
    if (placement.ownThread) return await RemoteSegmenter.create(spec, SEGMENTER_START_TIMEOUT_MS, placement.stallAfterMasks);
    return await createSegmenter(spec.kind, spec.options);
  } catch (error) {
    const fallback = fallbackSpec(spec);
    if (fallback) return createSegmenter(fallback.kind, fallback.options);
    throw error;
  }
}
