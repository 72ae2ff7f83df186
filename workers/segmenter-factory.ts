import type { SegmenterRuntime as RuntimeName } from '../contract/options.js';
import { liteRtFallback, liteRtOptions, type LiteRtOptions } from './litert-options.js';
import { LiteRtSegmenter } from './litert-segmenter.js';
import { mediaPipeFallback, mediaPipeOptions, type MediaPipeOptions } from './mediapipe-options.js';
import { MediaPipeSegmenter } from './mediapipe-segmenter.js';
import type { Segmenter, SegmenterRequest } from './segmenter.js';

/**
 * Which segmenter runtime runs the model, and the one place that knows each
 * runtime's options. A new runtime is one more key here and one more row in
 * `runtimes`; the blur worker, the segmenter worker and their messages name
 * only the kind.
 */
export interface SegmenterOptionsByKind {
  readonly mediapipe: MediaPipeOptions;
  readonly litert: LiteRtOptions;
}

/** The protocol's runtime names and this table's keys are the same set. */
export type SegmenterKind = keyof SegmenterOptionsByKind & RuntimeName;

/** A runtime and its options together, as they cross to the segmenter worker and key its parked segmenters. */
export type SegmenterSpec = { readonly [K in SegmenterKind]: { readonly kind: K; readonly options: SegmenterOptionsByKind[K] } }[SegmenterKind];

/** What the factory knows of one runtime. */
interface SegmenterRuntime<Options> {
  /** How error messages name it. */
  readonly name: string;
  /** The blur worker's generic request in this runtime's own terms. */
  options(request: SegmenterRequest): Options;
  create(options: Options): Promise<Segmenter>;
  /** Options to try once more on the blur worker's own thread when a start fails; null when nothing is left to try. */
  fallback(options: Options): Options | null;
}

const runtimes: { readonly [K in SegmenterKind]: SegmenterRuntime<SegmenterOptionsByKind[K]> } = {
  mediapipe: { name: 'MediaPipe', options: mediaPipeOptions, create: (options) => MediaPipeSegmenter.create(options), fallback: mediaPipeFallback },
  litert: { name: 'LiteRT', options: liteRtOptions, create: (options) => LiteRtSegmenter.create(options), fallback: liteRtFallback },
};

/** The blur worker's request as `kind`'s own options, ready to start here or to send to the segmenter worker. */
export function segmenterSpec(kind: SegmenterKind, request: SegmenterRequest): SegmenterSpec {
  // Each key's options come from that key's row, which the union type cannot follow.
  return { kind, options: runtimes[kind].options(request) } as SegmenterSpec;
}

/** The runtime's name for error messages (MediaPipe, not `mediapipe`). */
export function runtimeName(kind: SegmenterKind): string {
  return runtimes[kind].name;
}

/** Starts a segmenter of `kind` on this thread. */
export function createSegmenter<K extends SegmenterKind>(kind: K, options: SegmenterOptionsByKind[K]): Promise<Segmenter> {
  return runtimes[kind].create(options);
}

/** The spec to try on this thread after `spec` failed to start, or null. */
export function fallbackSpec<K extends SegmenterKind>(spec: { readonly kind: K; readonly options: SegmenterOptionsByKind[K] }): { readonly kind: K; readonly options: SegmenterOptionsByKind[K] } | null {
  const options = runtimes[spec.kind].fallback(spec.options);
  return options ? { kind: spec.kind, options } : null;
}
