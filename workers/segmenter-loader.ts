import { RemoteSegmenter, SegmenterStartTimeout } from './remote-segmenter.js';
import { createSegmenter, fallbackSpec, segmenterSpec, type SegmenterKind, type SegmenterSpec } from './segmenter-factory.js';
import type { Segmenter, SegmenterRequest } from './segmenter.js';

/**
 * How long each segmenter worker may take to get its runtime ready (a cold start
 * compiles 9–11 MB of wasm: about 2 s here). Past it, that worker is ended and
 * a fresh one gets twice as long: on two cores shared with WebKit's web
 * process a start took over 8 s now and then, and gave up a segmenter that
 * was only slow. After the second, `model-load` says so; the output stays
 * blurred whole throughout. A start that hangs was seen in Chromium 156 over
 * SwiftShader on canvas capture with the CPU renderer (tier 3 forced onto
 * it) on a still input: MediaPipe never returned from making its WebGL
 * context, on any thread, more often than not.
 */
const SEGMENTER_START_TIMEOUTS_MS = [8000, 16000] as const;

/** Where the blur worker wants its segmenter to run. */
export interface SegmenterPlacement {
  /** The compositor can overlap: segment on a second thread, in the segmenter worker. */
  readonly ownThread: boolean;
  /** Test hook for the segmenter worker: after this many masks it answers no more. */
  readonly stallAfterMasks: number | undefined;
}

/**
 * Starts the blur worker's segmenter for `request` on runtime `kind`, on
 * its own thread where the compositor overlaps, else on this one. When that
 * start fails, the runtime's fallback (MediaPipe: its CPU delegate) is tried
 * once on this thread.
 */
export async function loadSegmenter(kind: SegmenterKind, request: SegmenterRequest, placement: SegmenterPlacement): Promise<Segmenter> {
  const spec = segmenterSpec(kind, request);
  try {
    if (placement.ownThread) return await startOnOwnThread(spec, placement);
    return await createSegmenter(spec.kind, spec.options);
  } catch (error) {
    const fallback = fallbackSpec(spec);
    if (fallback) return createSegmenter(fallback.kind, fallback.options);
    throw error;
  }
}

/** Starts `spec` in a segmenter worker; a start that times out is tried once more, on a fresh worker, for longer. */
async function startOnOwnThread(spec: SegmenterSpec, placement: SegmenterPlacement): Promise<Segmenter> {
  for (let attempt = 0; ; attempt++) {
    const timeoutMs = SEGMENTER_START_TIMEOUTS_MS[attempt]!;
    try {
      return await RemoteSegmenter.create(spec, timeoutMs, placement.stallAfterMasks);
    } catch (error) {
      if (!(error instanceof SegmenterStartTimeout) || attempt + 1 >= SEGMENTER_START_TIMEOUTS_MS.length) throw error;
      console.warn(`blur-camera: ${error.message}; trying once more on a fresh thread for ${SEGMENTER_START_TIMEOUTS_MS[attempt + 1]} ms. The output stays fully blurred meanwhile.`);
    }
  }
}
