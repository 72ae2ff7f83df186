import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteerCore from 'puppeteer-core';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { chromiumArgs as chromiumArgsFor, chromiumArgsWithoutGpu } from './scripts/chromium.mjs';
import { personFreeCameraFile } from './scripts/person-free-camera.mjs';
import { firefoxLaunchOptions, firefoxPath } from './scripts/firefox.mjs';
import { startWebKitDriver, webkitAvailable, webkitCapabilities, WEBKIT_PROFILES } from './scripts/webkit.mjs';
import { serveBackgroundFixtures } from './test/fixtures/background-routes.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Real footage and ground-truth masks, beside the repository (see ../shared/media/README.md). */
const mediaDir = resolve(here, '..', 'shared', 'media');
const cameraClip = join(mediaDir, 'clips', 'keyed-person-720p.mjpeg');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

/**
 * The Content-Security-Policy that `<blur-camera>` must work under (issue:
 * strict CSP): no 'unsafe-eval', no blob:, only 'wasm-unsafe-eval' for
 * MediaPipe's wasm. `no-wasm-eval` is the control that must fail.
 */
export const CSP_POLICIES = {
  strict: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'",
  'no-wasm-eval': "default-src 'self'; script-src 'self'; worker-src 'self'",
};
const cspFixtureDir = resolve(here, 'test', 'fixtures', 'csp');
const distDir = resolve(here, 'dist');
const cspTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.map': 'application/json', '.tflite': 'application/octet-stream' };
/** Violation reports (report-uri) per policy name, read and cleared by the `csp-reports` command. */
const cspReports = new Map();

/**
 * A page under a strict CSP, as a production static server would serve it:
 * /csp-fixture/<policy>/ serves test/fixtures/csp/ and /csp-fixture/<policy>/dist/
 * serves dist/ as built, untransformed, every response with the policy as
 * its Content-Security-Policy header (a dedicated worker's policy is its own
 * script response's header, so the worker runs under it too). The same
 * policy is also sent report-only with a report-uri, so that violations in
 * the worker, where the page cannot listen for them, reach the server.
 */
function serveCspFixture() {
  return async (ctx, next) => {
    const match = /^\/csp-fixture\/([\w-]+)\/(.*)$/.exec(ctx.path);
    if (!match) return next();
    const [, name, rest] = match;
    const policy = CSP_POLICIES[name];
    if (!policy) {
      ctx.status = 404;
      return;
    }
    if (rest === 'report') {
      const chunks = [];
      for await (const chunk of ctx.req) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      let report;
      try {
        report = JSON.parse(text)['csp-report'] ?? JSON.parse(text);
      } catch {
        report = { unparsed: text };
      }
      if (!cspReports.has(name)) cspReports.set(name, []);
      cspReports.get(name).push(report);
      ctx.status = 204;
      return;
    }
    const [root, relative] = rest.startsWith('dist/') ? [distDir, rest.slice('dist/'.length)] : [cspFixtureDir, rest || 'index.html'];
    const file = resolve(root, decodeURIComponent(relative));
    if (!file.startsWith(`${root}/`) || !existsSync(file) || !statSync(file).isFile()) {
      ctx.status = 404;
      return;
    }
    ctx.set('Content-Security-Policy', policy);
    ctx.set('Content-Security-Policy-Report-Only', `${policy}; report-uri /csp-fixture/${name}/report`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = cspTypes[extname(file)] ?? 'application/octet-stream';
    ctx.body = createReadStream(file);
  };
}

/** `csp-reports` returns and clears the violation reports sent for `payload.policy`. */
function cspReportsCommand() {
  return {
    name: 'csp-reports',
    executeCommand({ command, payload }) {
      if (command !== 'csp-reports') return undefined;
      const reports = cspReports.get(payload?.policy) ?? [];
      cspReports.delete(payload?.policy);
      return reports;
    },
  };
}

/**
 * Records every request the page makes, its frames' and its workers', from
 * the browser's side (DevTools protocol), so that a test can assert that
 * nothing leaves the page's origin. Its own DevTools session attaches to each
 * worker as it starts (paused until the recorder listens) and to each child
 * of those, and records Network.requestWillBeSent, WebSocket and WebTransport
 * creation. Commands: `request-recorder-start`, `request-recorder-stop`
 * (returns the requests seen since the start, once a second has passed
 * without a new one).
 */
function requestRecorder() {
  const recordings = new Map();
  const hooked = new Set();
  const watch = async (session, sessionId, targetType, targetUrl) => {
    const record = (kind) => (event) => {
      const list = recordings.get(sessionId);
      if (list) list.lastEvent = Date.now();
      if (list?.active) list.requests.push({ url: event.request?.url ?? event.url, kind, type: event.type ?? kind, target: targetType, targetUrl });
    };
    session.on('Network.requestWillBeSent', record('request'));
    session.on('Network.webSocketCreated', record('websocket'));
    session.on('Network.webTransportCreated', record('webtransport'));
    session.on('Target.attachedToTarget', ({ sessionId: childId, targetInfo }) => {
      const child = session.connection()?.session(childId);
      if (child) void watch(child, sessionId, targetInfo.type, targetInfo.url).catch(() => undefined);
    });
    try {
      await session.send('Network.enable');
      await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    } finally {
      // A worker waits for this before it runs its first line; never leave one paused.
      if (targetType !== 'page') await session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    }
  };
  return {
    name: 'request-recorder',
    async executeCommand({ command, session }) {
      if (command === 'request-recorder-start') {
        recordings.set(session.id, { active: true, requests: [], lastEvent: Date.now() });
        if (!hooked.has(session.id)) {
          hooked.add(session.id);
          const page = session.browser.getPage(session.id);
          await watch(await page.createCDPSession(), session.id, 'page', page.url());
        }
        return true;
      }
      if (command === 'request-recorder-stop') {
        // DevTools events travel apart from the test's own messages: wait until 1 s passes without one (at most 10 s).
        const list = recordings.get(session.id);
        const stopping = Date.now();
        while (list && Date.now() - Math.max(list.lastEvent, stopping) < 1000 && Date.now() - stopping < 10000) await new Promise((resolve) => setTimeout(resolve, 100));
        recordings.delete(session.id);
        return list?.requests ?? [];
      }
      return undefined;
    },
  };
}

/** Chromium with SwiftShader WebGL2/WebGPU and a fake camera playing a real clip (flags shared with the scripts). */
export const chromiumArgs = chromiumArgsFor(cameraClip);

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
        // A worker's own browser messages (a VideoFrame garbage-collected without close()) come only
        // through its Log domain, not as console calls: listen to both.
        const watchWorker = (worker) => {
          const origin = `worker ${worker.url()}`;
          worker.on('console', record(origin));
          worker.client.on('Log.entryAdded', ({ entry }) => messages.get(session.id)?.push({ origin, type: entry.level, text: entry.text }));
          worker.client.send('Log.enable').catch(() => undefined);
        };
        page.on('workercreated', watchWorker);
        for (const worker of page.workers()) watchWorker(worker);
        return true;
      }
      if (command === 'console-watch-read') return messages.get(session.id) ?? [];
      return undefined;
    },
  };
}

/**
 * `page-hide` and `page-show`: hide the test's tab behind another one (a real
 * `visibilitychange`, rAF and rVFC stop), then bring it back, for the test
 * that a call keeps its video while its tab is in the background.
 */
function pageVisibility() {
  const covers = new Map();
  return {
    name: 'page-visibility',
    async executeCommand({ command, session }) {
      if (command !== 'page-hide' && command !== 'page-show') return undefined;
      const page = session.browser.getPage(session.id);
      if (command === 'page-hide') {
        const cover = await page.browser().newPage();
        covers.set(session.id, cover);
        await cover.bringToFront();
      } else {
        await page.bringToFront();
        await covers.get(session.id)?.close();
        covers.delete(session.id);
      }
      return true;
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

const runFirefox = process.env.BLUR_CAMERA_BROWSERS !== 'chromium' && existsSync(firefoxPath);
if (!runFirefox) console.warn(`Firefox is skipped: ${firefoxPath} is missing or BLUR_CAMERA_BROWSERS=chromium.`);

const chromium = chromeLauncher({
  launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
});

/** The same Chromium, launched apart for the tests that lose WebGPU devices on purpose. */
const chromiumIsolatedGpu = chromeLauncher({
  launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
});

/** Chromium without the flag that grants the camera: getUserMedia really fails with NotAllowedError. */
const chromiumWithoutCameraPermission = chromeLauncher({
  launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs.filter((arg) => arg !== '--use-fake-ui-for-media-stream') },
});
/** Chromium with no GPU API at all (see chromiumArgsWithoutGpu), on a camera that shows no person: LiteRT segments, the CPU renders. */
const chromiumWithoutGpu = chromeLauncher({
  launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgsWithoutGpu(personFreeCameraFile()) },
});
const onlyTests = process.env.BLUR_CAMERA_TESTS?.split(',');
/** The tests that run in their own Chromium (below) are not the main group's. */
const OWN_CHROMIUM = ['test/permission/', 'test/no-gpu/', 'test/isolated-gpu/'];
const chromiumFiles = onlyTests
  ? onlyTests.filter((f) => !OWN_CHROMIUM.some((dir) => f.startsWith(dir)))
  : ['test/**/*.test.ts', '!test/firefox/**', '!test/webkit/**', ...OWN_CHROMIUM.map((dir) => `!${dir}**`)];

const firefox = runFirefox
  ? chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: firefoxLaunchOptions(),
    })
  : null;

const runWebKit = process.env.BLUR_CAMERA_BROWSERS !== 'chromium' && webkitAvailable();
if (!runWebKit) console.warn('WebKit is skipped: WebKitWebDriver or MiniBrowser is missing (apt-get install webkit2gtk-driver) or BLUR_CAMERA_BROWSERS=chromium.');
const webkitPort = runWebKit ? await startWebKitDriver() : 0;

/** MiniBrowser with one profile's features (see scripts/webkit.mjs), driven through WebKitWebDriver. */
function webkit(profile) {
  const launcher = webdriverLauncher({ automationProtocol: 'webdriver', hostname: '127.0.0.1', port: webkitPort, path: '/', logLevel: 'error', capabilities: webkitCapabilities(profile) });
  const initialize = launcher.initialize.bind(launcher);
  launcher.initialize = async (config) => {
    await initialize(config);
    launcher.name = WEBKIT_PROFILES[profile].label;
  };
  return launcher;
}

/**
 * The WebKit groups: test/webkit/<profile>/ runs the specs of test/specs/
 * with what that profile must give (tier, transport, refusals).
 */
const webkitGroups = runWebKit ? Object.keys(WEBKIT_PROFILES).map((profile) => ({ name: `webkit-${profile}`, files: [`test/webkit/${profile}/**/*.test.ts`], browsers: [webkit(profile)] })) : [];

export default {
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 900000,
  middleware: [serveMedia(), serveBrokenAssets(), serveCspFixture(), serveBackgroundFixtures()],
  reporters: [defaultReporter(), countReporter()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), consoleWatch(), wgslModules(), cspReportsCommand(), requestRecorder(), pageVisibility()],
  testFramework: { config: { timeout: 120000 } },
  // For `wtr --files …` during development; `npm test` runs the groups.
  browsers: [chromium],
  groups: [
    // BLUR_CAMERA_TESTS=test/a.test.ts,test/b.test.ts runs only those in Chromium (development).
    ...(chromiumFiles.length > 0 ? [{ name: 'chromium', files: chromiumFiles, browsers: [chromium] }] : []),
    // Tests that lose WebGPU devices on purpose, in a Chromium (and GPU process) of their own.
    ...(!onlyTests || onlyTests.some((f) => f.startsWith('test/isolated-gpu/')) ? [{ name: 'chromium-isolated-gpu', files: ['test/isolated-gpu/**/*.test.ts'], browsers: [chromiumIsolatedGpu] }] : []),
    ...(!onlyTests || onlyTests.some((f) => f.startsWith('test/no-gpu/')) ? [{ name: 'chromium-without-gpu', files: ['test/no-gpu/**/*.test.ts'], browsers: [chromiumWithoutGpu] }] : []),
    ...(!onlyTests || onlyTests.some((f) => f.startsWith('test/permission/'))
      ? [{ name: 'chromium-without-camera-permission', files: ['test/permission/**/*.test.ts'], browsers: [chromiumWithoutCameraPermission] }]
      : []),
    ...(firefox ? [{ name: 'firefox', files: ['test/firefox/**/*.test.ts'], browsers: [firefox] }] : []),
    ...(onlyTests ? [] : webkitGroups),
  ],
};
