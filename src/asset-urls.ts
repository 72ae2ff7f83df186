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
 * Where the shipped assets live. By default they sit next to this module in
 * dist/, so a page in any folder only needs the one script tag; `assets-url`
 * points elsewhere (a CMS that serves them from another path), on this origin
 * unless `allowCrossOrigin`.
 */
export function resolveAssetUrls(assetsUrl?: string | null, allowCrossOrigin = false): AssetUrls {
  const base = assetsUrl ? assetsBase(assetsUrl, allowCrossOrigin) : new URL('./', import.meta.url);
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
  };
}

/** The worker module, built next to this one. */
export function blurWorkerUrl(): URL {
  return new URL('./blur-worker.js', import.meta.url);
}
