import { BlurError } from './blur-error.js';
import type { AssetUrls } from '../contract/options.js';

/**
 * The folder `assetsUrl` names, checked. The wasm loaded from it runs in the
 * worker that sees every camera frame, so it is a trust boundary: whoever can
 * set an attribute on a CMS page must not be able to load code from a server
 * of their choosing. Only the page's own origin is allowed, unless the page
 * opts in with the `allowCrossOriginAssets` property (never an attribute).
 * Throws BlurError `invalid-config` otherwise, and for any scheme but http(s).
 */
function assetsBase(assetsUrl: string, allowCrossOrigin: boolean): URL {
  let base: URL;
  try {
    base = new URL(assetsUrl.endsWith('/') ? assetsUrl : `${assetsUrl}/`, document.baseURI);
  } catch (error) {
    throw new BlurError('invalid-config', `assets-url "${assetsUrl}" is not a URL. Set it to the folder that holds wasm/ and models/, or leave it out.`, { cause: error });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new BlurError('invalid-config', `assets-url must be an http(s) folder, not a ${base.protocol} URL. Set it to the folder that holds wasm/ and models/, or leave it out.`);
  }
  if (base.origin !== location.origin && !allowCrossOrigin) {
    throw new BlurError(
      'invalid-config',
      `assets-url ${base.href} is on another origin than this page (${location.origin}). The code there would see every camera frame, so it is refused. Serve the assets from this origin, or, if you trust that server, set the allowCrossOriginAssets property (not an attribute) to true.`,
    );
  }
  return base;
}

/**
 * Where the wasm and models live when the page set `assets-url` (on this
 * origin unless `allowCrossOrigin`); null when it did not, and the worker
 * takes the files shipped next to itself: it names each with a literal URL
 * relative to `import.meta.url`, which bundlers follow and emit.
 */
export function resolveAssetUrls(assetsUrl?: string | null, allowCrossOrigin = false): AssetUrls | null {
  if (!assetsUrl) return null;
  return assetUrlsAt(assetsBase(assetsUrl, allowCrossOrigin));
}

/** The asset files under `base`, a folder that holds wasm/ and models/ as dist/ does. */
function assetUrlsAt(base: URL): AssetUrls {
  const at = (path: string): string => new URL(path, base).href;
  return {
    models: {
      general: at('models/selfie_segmenter.tflite'),
      landscape: at('models/selfie_segmenter_landscape.tflite'),
    },
    mediapipe: {
      // The ES-module build of MediaPipe's loader: module workers cannot importScripts.
      wasmLoader: at('wasm/vision_wasm_module_internal.js'),
      wasmBinary: at('wasm/vision_wasm_module_internal.wasm'),
    },
    litert: {
      // LiteRT.js's loader, shipped as an ES module (module workers cannot importScripts).
      wasmLoader: at('wasm/litert_wasm_compat_internal.js'),
      wasmBinary: at('wasm/litert_wasm_compat_internal.wasm'),
    },
  };
}

/**
 * Starts the blur worker in the literal form that bundlers recognise (Vite,
 * webpack 5, Parcel, Rollup with its URL plugin): they bundle the worker with
 * the app. Without a bundler it is the file next to this module.
 */
export function createBlurWorker(): Worker {
  return new Worker(new URL('./blur-worker.js', import.meta.url), { type: 'module', name: 'blur-camera' });
}

/**
 * How messages name the blur worker. Not its URL: `import.meta.url` outside
 * `new URL(…)` is what webpack replaces with the build machine's file path,
 * which then shipped in the app's bundle.
 */
export const BLUR_WORKER_NAME = 'blur-worker.js (beside blur-camera.js, or emitted by your bundler)';
