import type { AssetUrls } from '../workers/protocol.js';

/**
 * Where the shipped assets live. By default they sit next to this module in
 * dist/, so a page in any folder only needs the one script tag; `assets-url`
 * points elsewhere (a CMS that serves them from another path).
 */
export function resolveAssetUrls(assetsUrl?: string | null): AssetUrls {
  const base = assetsUrl
    ? new URL(assetsUrl.endsWith('/') ? assetsUrl : `${assetsUrl}/`, document.baseURI)
    : new URL('./', import.meta.url);
  const at = (path: string): string => new URL(path, base).href;
  return {
    // The ES-module build of MediaPipe's loader: module workers cannot importScripts.
    wasmLoader: at('wasm/vision_wasm_module_internal.js'),
    wasmBinary: at('wasm/vision_wasm_module_internal.wasm'),
    models: {
      general: at('models/selfie_segmenter.tflite'),
      landscape: at('models/selfie_segmenter_landscape.tflite'),
    },
  };
}

/** The worker module, built next to this one. */
export function blurWorkerUrl(): URL {
  return new URL('./blur-worker.js', import.meta.url);
}
