import type { WasmRuntimeUrls } from '../contract/options.js';
import type { SegmenterRequest } from './segmenter.js';

/*
 * MediaPipe's own settings, apart from its segmenter class: the segmenter
 * factory's table and the segmenter worker's messages name them, and the
 * generic Segmenter types stay free of them.
 */

/** What MediaPipe alone needs to start: its wasm runtime, one model's URL and its delegate. */
export interface MediaPipeOptions {
  readonly runtime: WasmRuntimeUrls;
  readonly modelUrl: string;
  readonly delegate: 'CPU' | 'GPU';
}

/** The generic request in MediaPipe's terms: the accelerator is its delegate. */
export function mediaPipeOptions(request: SegmenterRequest): MediaPipeOptions {
  return { runtime: request.assets.mediapipe, modelUrl: request.assets.models[request.model], delegate: request.accelerator };
}

/** A GPU whose WebGL2 MediaPipe cannot use still has the CPU path; the CPU delegate has nothing left to try. */
export function mediaPipeFallback(options: MediaPipeOptions): MediaPipeOptions | null {
  return options.delegate === 'GPU' ? { ...options, delegate: 'CPU' } : null;
}
