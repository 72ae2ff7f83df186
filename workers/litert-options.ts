import type { WasmRuntimeUrls } from '../contract/options.js';
import type { SegmenterRequest } from './segmenter.js';

/** What LiteRT.js needs to start: its wasm runtime and one model's URL. */
export interface LiteRtOptions {
  readonly runtime: WasmRuntimeUrls;
  readonly modelUrl: string;
}

/**
 * The generic request in LiteRT's terms. It runs on WebAssembly whatever the
 * accelerator: its WebGPU path is not used yet (over SwiftShader it took
 * 250 ms a frame against 15–20 on wasm, and no hardware GPU could be measured).
 */
export function liteRtOptions(request: SegmenterRequest): LiteRtOptions {
  return { runtime: request.assets.litert, modelUrl: request.assets.models[request.model] };
}

/** WebAssembly is LiteRT's last resort already: nothing left to try. */
export function liteRtFallback(): null {
  return null;
}
