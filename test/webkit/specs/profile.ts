import type { Tier } from '../../../dist/blur-camera.js';

/** What one WebKit feature set (see scripts/webkit.mjs) must give. */
export interface WebKitProfile {
  readonly name: string;
  /** The tier `<blur-camera>` must reach on the mock camera. */
  readonly tier: Tier;
  /** The tier a BlurProcessor steps down to when the first backend's blur check fails (null: nothing is left). */
  readonly tierWithoutFirstBackend: Tier | null;
  /** The first backend the ladder tries, for the blur-check test hook. */
  readonly firstBackend: 'webgl2' | 'cpu';
}

export const SAFARI_18: WebKitProfile = { name: 'Safari 18 (insertable streams and WebGL in workers)', tier: 2, tierWithoutFirstBackend: 4, firstBackend: 'webgl2' };
export const SAFARI_17: WebKitProfile = { name: 'Safari 17 (WebGL in workers)', tier: 4, tierWithoutFirstBackend: null, firstBackend: 'cpu' };
