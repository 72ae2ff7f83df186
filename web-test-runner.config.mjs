import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteerCore from 'puppeteer-core';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Real footage and ground-truth masks, beside the repository (see ../shared/media/README.md). */
const mediaDir = resolve(here, '..', 'shared', 'media');
const cameraClip = join(mediaDir, 'clips', 'keyed-person-720p.mjpeg');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

const types = { '.png': 'image/png', '.jpg': 'image/jpeg', '.mjpeg': 'video/x-motion-jpeg', '.md': 'text/plain' };

/** Serves ../shared/media under /media/, outside the repository's own root. */
function serveMedia() {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/media/')) return next();
    const file = resolve(mediaDir, decodeURIComponent(ctx.path.slice('/media/'.length)));
    if (!file.startsWith(mediaDir) || !existsSync(file) || !statSync(file).isFile()) {
      ctx.status = 404;
      return;
    }
    ctx.type = types[extname(file)] ?? 'application/octet-stream';
    ctx.body = createReadStream(file);
  };
}

/**
 * Broken asset folders for the fault tests: /broken-assets/<kind>/ serves the
 * real wasm from dist/ and a model that is missing (404), garbage, or
 * truncated to its first 64 KB.
 */
function serveBrokenAssets() {
  return async (ctx, next) => {
    const match = /^\/broken-assets\/(missing|garbage|truncated)\/(wasm|models)\/([\w.-]+)$/.exec(ctx.path);
    if (!match) return next();
    const [, kind, folder, file] = match;
    const real = resolve(here, 'dist', folder, file);
    if (folder === 'wasm' && existsSync(real)) {
      ctx.type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      ctx.body = createReadStream(real);
      return;
    }
    if (kind === 'missing' || !existsSync(real)) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'application/octet-stream';
    ctx.body = kind === 'garbage' ? Buffer.from('this is not a TFLite model at all, just text'.repeat(100)) : readFileSync(real).subarray(0, 65536);
  };
}

/** Chromium with SwiftShader WebGL2/WebGPU and a fake camera playing a real clip. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${cameraClip}`,
  '--autoplay-policy=no-user-gesture-required',
  // Lets the leak test force a garbage collection to prove it can see the browser's leak warning.
  '--js-flags=--expose-gc',
];

/**
 * Collects the browser's console messages, the page's and its workers', for
 * tests that assert on what the browser itself reports (for example a
 * VideoFrame garbage-collected without close()).
 */
function consoleWatch() {
  const messages = new Map();
  const watched = new Set();
  return {
    name: 'console-watch',
    async executeCommand({ command, session }) {
      if (command === 'console-watch-start') {
        messages.set(session.id, []);
        if (watched.has(session.id)) return true;
        watched.add(session.id);
        const page = session.browser.getPage(session.id);
        const record = (origin) => (message) => messages.get(session.id)?.push({ origin, type: message.type(), text: message.text() });
        page.on('console', record('page'));
        page.on('workercreated', (worker) => worker.on('console', record(`worker ${worker.url()}`)));
        for (const worker of page.workers()) worker.on('console', record(`worker ${worker.url()}`));
        return true;
      }
      if (command === 'console-watch-read') return messages.get(session.id) ?? [];
      return undefined;
    },
  };
}

/**
 * Serves .wgsl imports as string modules, as the rollup build does, for unit
 * tests of gpu/; `?raw` serves the source itself.
 */
function wgslModules() {
  const isModule = (context) => /\.(wgsl|glsl)$/.test(context.path) && context.querystring !== 'raw';
  return {
    name: 'wgsl-modules',
    resolveMimeType(context) {
      return isModule(context) ? 'js' : undefined;
    },
    transform(context) {
      return isModule(context) ? { body: `export default ${JSON.stringify(context.body)};` } : undefined;
    },
  };
}

/** Ends the run with one plain `N passed, N failed` line, the form CI reads. */
function countReporter() {
  return {
    stop({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const test of suite?.tests ?? []) {
          if (test.skipped) skipped++;
          else if (test.passed) passed++;
          else failed++;
        }
        for (const child of suite?.suites ?? []) walk(child);
      };
      for (const session of sessions) {
        walk(session.testResults);
        // A file that failed to load counts as a failure, not as zero tests.
        if (!session.passed && !session.testResults?.tests?.length && !session.testResults?.suites?.length) failed++;
      }
      // The runner's terminal redraws its progress until it stops; print after it.
      process.on('exit', () => process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`));
    },
  };
}

/**
 * Firefox finds WebGL only through GLX, even headless, so it needs an X
 * server: a private Xvfb for the run (Mesa's llvmpipe renders). Its WebGPU
 * adapter is Mesa's lavapipe (mesa-vulkan-drivers). Both are installed by .ci/run.
 */
function startXvfb() {
  if (process.env.DISPLAY) return process.env.DISPLAY;
  let n = 99;
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  xvfb.on('error', (error) => console.error(`Xvfb could not start (${error.message}); Firefox will have no WebGL. apt-get install xvfb`));
  process.on('exit', () => xvfb.kill());
  return `:${n}`;
}

const runFirefox = process.env.BLUR_CAMERA_BROWSERS !== 'chromium' && existsSync(firefoxPath);
if (!runFirefox) console.warn(`Firefox is skipped: ${firefoxPath} is missing or BLUR_CAMERA_BROWSERS=chromium.`);

const chromium = chromeLauncher({
  launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
});

const firefox = runFirefox
  ? chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: {
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
      },
    })
  : null;

export default {
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 900000,
  middleware: [serveMedia(), serveBrokenAssets()],
  reporters: [defaultReporter(), countReporter()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), consoleWatch(), wgslModules()],
  testFramework: { config: { timeout: 120000 } },
  // For `wtr --files …` during development; `npm test` runs the groups.
  browsers: [chromium],
  groups: [
    // BLUR_CAMERA_TESTS=test/a.test.ts,test/b.test.ts runs only those in Chromium (development).
    { name: 'chromium', files: process.env.BLUR_CAMERA_TESTS ? process.env.BLUR_CAMERA_TESTS.split(',') : ['test/**/*.test.ts', '!test/firefox/**'], browsers: [chromium] },
    ...(firefox ? [{ name: 'firefox', files: ['test/firefox/**/*.test.ts'], browsers: [firefox] }] : []),
  ],
};
