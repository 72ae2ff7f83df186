import { loadAndCompile, loadLiteRt, Tensor, type CompiledModel } from '@litertjs/core';
import type { ConfidenceMask } from '../gpu/compositor.js';
import type { LiteRtOptions } from './litert-options.js';
import { fetchModel } from './model-bytes.js';
import { ModelLoadError, type Segmenter } from './segmenter.js';
import { restoreModuleFactory } from './wasm-module-factory.js';

interface LoaderScope {
  Module?: object;
  importScripts: (...urls: string[]) => void;
}

/** LiteRT's runtime is one per thread (a second loadLiteRt throws): every model on this thread shares it. */
let runtime: { readonly loaderUrl: string; readonly ready: Promise<void> } | null = null;

/**
 * Starts LiteRT's wasm runtime on this thread, once. Its loader is a classic
 * script that LiteRT would run with importScripts(), which a module worker
 * refuses; the loader ships as an ES module instead, imported here, and
 * importScripts() stands in as a no-op for the one call. `locateFile` names
 * the exact wasm URL, so that a bundler's hashed file name still loads; the
 * runtime's own log lines (model details at INFO) are dropped: a failure
 * comes back as an exception.
 */
function startRuntime(urls: LiteRtOptions['runtime']): Promise<void> {
  if (runtime) {
    if (runtime.loaderUrl !== urls.wasmLoader) return Promise.reject(new Error(`LiteRT already runs from ${runtime.loaderUrl} on this thread`));
    return runtime.ready;
  }
  const ready = (async () => {
    await restoreModuleFactory(urls.wasmLoader);
    const scope = self as unknown as LoaderScope;
    scope.Module = { locateFile: (file: string) => (file.endsWith('.wasm') ? urls.wasmBinary : new URL(file, urls.wasmLoader).href), print: () => undefined, printErr: () => undefined };
    const importScripts = Object.getOwnPropertyDescriptor(scope, 'importScripts');
    scope.importScripts = () => undefined;
    try {
      // A .js path: LiteRT loads that build, with no guess at others and no fetch but its wasm.
      await loadLiteRt(urls.wasmLoader);
    } finally {
      if (importScripts) Object.defineProperty(scope, 'importScripts', importScripts);
      else delete (scope as Partial<LoaderScope>).importScripts;
    }
  })();
  runtime = { loaderUrl: urls.wasmLoader, ready };
  ready.catch(() => {
    runtime = null;
    // LiteRT clears these once its runtime is made; a failed start must not hand its `Module` to the next runtime on this thread.
    delete (self as unknown as Partial<LoaderScope>).Module;
  });
  return ready;
}

/**
 * The selfie segmenter on LiteRT.js with XNNPACK on WebAssembly: it needs no
 * WebGL and no WebGPU, so it runs where MediaPipe cannot (a worker without
 * WebGL, a blocklisted GPU). It runs the same .tflite file as MediaPipe and
 * does what MediaPipe's ImageSegmenter does around it: RGB scaled to 0–1 (the
 * model's metadata: mean 0, std 255) in, and the model's own output out (it
 * ends in a logistic, and the metadata asks for no activation). The blur
 * worker sends the image at the model's input size, so neither side resizes.
 */
export class LiteRtSegmenter implements Segmenter {
  private readonly input: Float32Array;

  private constructor(
    private readonly model: CompiledModel,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.input = new Float32Array(width * height * 3);
  }

  static async create(options: LiteRtOptions): Promise<LiteRtSegmenter> {
    const modelBytes = await fetchModel(options.modelUrl);
    try {
      await startRuntime(options.runtime);
      const model = await loadAndCompile(modelBytes, { accelerator: 'wasm' });
      const shape = model.getInputDetails()[0]?.shape ?? [];
      const [, height, width, channels] = shape;
      if (shape.length !== 4 || !height || !width || channels !== 3) {
        model.delete();
        throw new Error(`the model takes a [${shape.join(',')}] input, not one RGB image`);
      }
      return new LiteRtSegmenter(model, width, height);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new ModelLoadError(`${options.runtime.wasmLoader}, ${options.runtime.wasmBinary}, ${options.modelUrl}`, `LiteRT could not start: ${message}`, { cause });
    }
  }

  async segment(image: ImageData): Promise<ConfidenceMask> {
    if (image.width !== this.width || image.height !== this.height) throw new Error(`LiteRT's model takes ${this.width}×${this.height}, not ${image.width}×${image.height}`);
    const { data } = image;
    const input = this.input;
    for (let i = 0, j = 0; i < data.length; i += 4, j += 3) {
      input[j] = data[i]! / 255;
      input[j + 1] = data[i + 1]! / 255;
      input[j + 2] = data[i + 2]! / 255;
    }
    // Copied into the wasm heap; the run blocks this thread for its 6–20 ms.
    const tensor = new Tensor(input, [1, this.height, this.width, 3]);
    let outputs: Tensor[] = [];
    try {
      outputs = await this.model.run(tensor);
      const output = outputs[0]?.toTypedArray();
      if (!(output instanceof Float32Array) || output.length !== this.width * this.height) throw new Error('LiteRT returned no mask of the input size');
      return { width: this.width, height: this.height, data: output };
    } finally {
      tensor.delete();
      for (const output of outputs) output.delete();
    }
  }

  close(): void {
    this.model.delete();
  }
}
