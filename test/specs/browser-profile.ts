import type { Tier } from '../../dist/blur-camera.js';

/**
 * What one browser set-up must give: a WebKit feature set (see
 * scripts/webkit.mjs), or Chromium without a GPU. Each runs on a camera that
 * shows no person (WebKit's mock camera; for Chromium, the clip of
 * scripts/person-free-camera.mjs).
 */
export interface BrowserProfile {
  /** The engine, as the specs' names say it. */
  readonly browser: 'WebKit' | 'Chromium';
  readonly name: string;
  /** The tier `<blur-camera>` must reach on the camera. */
  readonly tier: Tier;
  /** The tier a BlurProcessor steps down to when the first backend's blur check fails (null: nothing is left). */
  readonly tierWithoutFirstBackend: Tier | null;
  /** The first backend the ladder tries, for the blur-check test hook. */
  readonly firstBackend: 'webgl2' | 'cpu';
  /** The segmenter runtime `auto` must pick there (LiteRT wherever the model runs on the CPU, as on every machine here). */
  readonly segmenter: 'mediapipe' | 'litert';
}

export const SAFARI_18: BrowserProfile = { browser: 'WebKit', name: 'Safari 18 (insertable streams and WebGL in workers)', tier: 2, tierWithoutFirstBackend: 4, firstBackend: 'webgl2', segmenter: 'litert' };
export const SAFARI_17: BrowserProfile = { browser: 'WebKit', name: 'Safari 17 (WebGL in workers)', tier: 4, tierWithoutFirstBackend: null, firstBackend: 'cpu', segmenter: 'litert' };
/** A WebKit without WebGL in workers: MediaPipe cannot run there, LiteRT.js can. */
export const WEBKIT_WITHOUT_WORKER_WEBGL: BrowserProfile = { browser: 'WebKit', name: 'no WebGL in workers', tier: 4, tierWithoutFirstBackend: null, firstBackend: 'cpu', segmenter: 'litert' };
/** Chromium on a blocklisted GPU: no WebGL and no WebGPU anywhere. */
export const CHROMIUM_WITHOUT_GPU: BrowserProfile = { browser: 'Chromium', name: 'without a GPU (--disable-gpu --disable-software-rasterizer)', tier: 4, tierWithoutFirstBackend: null, firstBackend: 'cpu', segmenter: 'litert' };
