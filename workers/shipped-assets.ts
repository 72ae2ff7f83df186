import type { AssetUrls } from '../contract/options.js';

/**
 * The wasm and models shipped next to this worker (dist/wasm/, dist/models/),
 * for a page that set no `assets-url`. Each is a literal URL relative to
 * `import.meta.url`, the form Vite, webpack 5, Parcel and Rollup's URL plugin
 * follow: a bundled app's build emits them beside the
 * worker, with no copying by hand.
 */
export function shippedAssetUrls(): AssetUrls {
  return {
    models: {
      general: new URL('./models/selfie_segmenter.tflite', import.meta.url).href,
      landscape: new URL('./models/selfie_segmenter_landscape.tflite', import.meta.url).href,
    },
    mediapipe: {
      wasmLoader: new URL('./wasm/vision_wasm_module_internal.js', import.meta.url).href,
      wasmBinary: new URL('./wasm/vision_wasm_module_internal.wasm', import.meta.url).href,
    },
    litert: {
      wasmLoader: new URL('./wasm/litert_wasm_compat_internal.js', import.meta.url).href,
      wasmBinary: new URL('./wasm/litert_wasm_compat_internal.wasm', import.meta.url).href,
    },
  };
}
