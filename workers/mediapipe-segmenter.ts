import { ImageSegmenter, type ImageSegmenterResult } from '@mediapipe/tasks-vision';
import type { ConfidenceMask } from '../gpu/compositor.js';
import type { MediaPipeOptions } from './mediapipe-options.js';
import { fetchModel } from './model-bytes.js';
import { restoreModuleFactory } from './wasm-module-factory.js';
import { ModelLoadError, type Segmenter } from './segmenter.js';

/** Tries at making MediaPipe's WebGL context before the failure counts as a model-load error. */
const WEBGL_CONTEXT_ATTEMPTS = 4;

/**
 * MediaPipe's ImageSegmenter in VIDEO mode. The delegate is CPU where the only
 * GPU is a software one: over SwiftShader the GPU delegate takes 132 ms a frame
 * against 12 ms for the CPU's WASM SIMD path.
 */
export class MediaPipeSegmenter implements Segmenter {
  private constructor(private readonly segmenter: ImageSegmenter) {}

  static async create(options: MediaPipeOptions): Promise<MediaPipeSegmenter> {
    const { runtime, modelUrl, delegate } = options;
    const modelBytes = await fetchModel(modelUrl);
    for (let attempt = 1; ; attempt++) {
      try {
        await restoreModuleFactory(runtime.wasmLoader);
        const segmenter = await ImageSegmenter.createFromOptions(
          // No loader path: the factory is in place (above), and MediaPipe would load the loader again itself with
          // importScripts() first, which fails where an app's bundler made this a classic worker (webpack 5 does,
          // unless its output is ES modules): the loader is an ES module ("Cannot use 'import.meta' outside a module").
          { wasmLoaderPath: '', wasmBinaryPath: runtime.wasmBinary },
          {
            baseOptions: { modelAssetBuffer: modelBytes, delegate },
            runningMode: 'VIDEO',
            outputConfidenceMasks: true,
            outputCategoryMask: false,
          },
        );
        return new MediaPipeSegmenter(segmenter);
      } catch (cause) {
        // WebKit sometimes refuses a worker's WebGL context while another thread's is still being given back
        // (the blur check's, just released): seen once in three starts. It is free a moment later.
        const message = cause instanceof Error ? cause.message : String(cause);
        if (attempt < WEBGL_CONTEXT_ATTEMPTS && message.includes('webgl_create_context')) {
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
          continue;
        }
        throw MediaPipeSegmenter.loadError(options, cause);
      }
    }
  }

  private static loadError(options: MediaPipeOptions, cause: unknown): ModelLoadError {
    const message = cause instanceof Error ? cause.message : String(cause);
    return new ModelLoadError(`${options.runtime.wasmLoader}, ${options.runtime.wasmBinary}, ${options.modelUrl}`, `MediaPipe could not start: ${message}`, { cause });
  }

  async segment(image: ImageData, timestampMs: number): Promise<ConfidenceMask> {
    return this.segmentNow(image, timestampMs);
  }

  /** Runs the model on this thread, synchronously: MediaPipe's video mode answers through a callback before it returns. */
  private segmentNow(image: ImageData, timestampMs: number): ConfidenceMask {
    let mask: ConfidenceMask | null = null;
    this.segmenter.segmentForVideo(image, timestampMs, (result: ImageSegmenterResult) => {
      try {
        const masks = result.confidenceMasks ?? [];
        // Single-output selfie models give the person's confidence as their only mask;
        // two-class models put the background first.
        const person = masks[masks.length - 1];
        if (person) mask = { width: person.width, height: person.height, data: person.getAsFloat32Array().slice() };
      } finally {
        result.close();
      }
    });
    if (!mask) throw new Error('MediaPipe returned no confidence mask');
    return mask;
  }

  close(): void {
    this.segmenter.close();
  }
}
