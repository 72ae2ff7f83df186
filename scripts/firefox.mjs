import { startXvfb } from './xvfb.mjs';

/** Debian's Firefox ESR, or FIREFOX_PATH. */
export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Puppeteer's launch options for Firefox, as the test runner and the bench
 * launch it: its fake camera with no permission prompt, WebGL through Xvfb
 * (Firefox finds it only through GLX), and WebGPU on Mesa's lavapipe.
 */
export function firefoxLaunchOptions() {
  return {
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    env: { ...process.env, DISPLAY: startXvfb() },
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'dom.webgpu.enabled': true,
      // lavapipe is on Firefox's WebGPU blocklist; without this requestAdapter() returns null.
      'gfx.webgpu.ignore-blocklist': true,
    },
  };
}
