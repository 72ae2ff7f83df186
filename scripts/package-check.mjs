/**
 * Package check: the package that `npm pack` makes works for a consumer.
 *
 * 1. Packs the repository (dist/ must be built), checks the tarball's file
 *    list, and installs the tarball into a fresh folder under the system's
 *    temporary directory, outside the repository.
 * 2. Serves that folder with a small static server and opens, in Chromium
 *    (SwiftShader and the fake camera, as the test runner does), pages that
 *    use the package as a consumer would:
 *    - `plain page`: exactly the two lines from the README, the script from
 *      node_modules/blur-camera/dist/;
 *    - `cms prefix`: dist/ served under /cms/static/plugins/blurcam/v1/ and
 *      the page under /cms/pages/demo/, nothing else served;
 *    - `assets-url`: the wasm and models served only from
 *      /cdn-mirror/blur-assets/, named by `assets-url`.
 *    - `Vite build`: an app (`import 'blur-camera'`) built with `vite build`
 *      in the consumer folder, served from its own dist/: Vite must have
 *      emitted the workers, the wasm and the models itself.
 *    - `Vite dev`: the same app under Vite's dev server (createServer, no
 *      config): blur-camera pre-bundled into node_modules/.vite/deps/, its
 *      workers, wasm, loader and models fetched from the package's files
 *      through the server (/@fs/…, /node_modules/…), its HMR socket allowed.
 *    - `webpack 5`: the app built with webpack's Node API (mode production,
 *      entry and output only), served from its output folder.
 *    - `esbuild`: the app built with esbuild and
 *      @chialab/esbuild-plugin-meta-url (`plugins: [metaUrl()]`,
 *      `external: ['node:module']`, the README's configuration).
 *    - `Parcel 2`: the app's index.html built with @parcel/core (the API of
 *      `parcel build`), no config, auto-install off.
 *    For the bundled apps, the wasm, the general model (byte for byte) and
 *    MediaPipe's loader must be in the build's output and fetched from it.
 *    Each must reach `trackready` and then produce a segmentation mask, and
 *    every request (the page's and its workers', recorded from the browser's
 *    side and by the server) must be the page itself, /favicon.ico, or a file
 *    of the package under the expected prefix; the worker, the wasm and the
 *    model must be among them.
 * 3. Compiles a consumer TypeScript file against the installed package with
 *    the repository's own tsc (--strict, NodeNext and bundler resolution):
 *    `querySelector('blur-camera')!.stream`, the typed `trackready` and
 *    `error` details, `createElement('blur-camera').start()`, and lines
 *    marked `@ts-expect-error` that fail the compile if the types degrade to
 *    `any`. A control run against deliberately degraded types must fail.
 *
 * Run after `npm run build`: `node scripts/package-check.mjs`. Exits 1 on any
 * failure. CHROMIUM_PATH overrides /usr/bin/chromium. PACKAGE_CHECK_KEEP=1
 * keeps the temporary folder for inspection. PACKAGE_CHECK_ONLY=<regex> runs
 * only the checks whose names match (packing and installing always run), e.g.
 * PACKAGE_CHECK_ONLY='webpack|Parcel'. PACKAGE_CHECK_VERBOSE=1 lists every
 * request of each page.
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer from 'puppeteer-core';
import { chromiumArgs as chromiumArgsFor } from './chromium.mjs';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cameraClip = resolve(repo, '..', 'shared', 'media', 'clips', 'keyed-person-720p.mjpeg');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const started = Date.now();

/** The test runner's Chromium flags (SwiftShader, the fake camera), from the module they share. */
const chromiumArgs = chromiumArgsFor(cameraClip);

/** Files the tarball must hold (paths inside the package). */
const requiredFiles = [
  'package.json',
  'README.md',
  'LICENSE',
  'custom-elements.json',
  'dist/blur-camera.js',
  'dist/blur-worker.js',
  'dist/segmenter-worker.js',
  'dist/wasm/vision_wasm_module_internal.js',
  'dist/wasm/vision_wasm_module_internal.wasm',
  'dist/wasm/litert_wasm_compat_internal.js',
  'dist/wasm/litert_wasm_compat_internal.wasm',
  'dist/models/selfie_segmenter.tflite',
  'dist/models/selfie_segmenter_landscape.tflite',
  'dist/types/components/index.d.ts',
  'dist/types/components/blur-camera.d.ts',
  'dist/types/src/events.d.ts',
];

/**
 * What a page must fetch to reach `trackready` (relative to the dist/ folder it
 * is served from). With no hardware GPU, as here, the model runs on the CPU,
 * where `segmenter="auto"` takes LiteRT.js.
 */
const requiredRequests = ['blur-camera.js', 'blur-worker.js', 'wasm/litert_wasm_compat_internal.js', 'wasm/litert_wasm_compat_internal.wasm', 'models/selfie_segmenter.tflite'];
/** The same for a page that insists on MediaPipe (`segmenter="mediapipe"`). */
const requiredMediaPipeRequests = ['blur-camera.js', 'blur-worker.js', 'wasm/vision_wasm_module_internal.js', 'wasm/vision_wasm_module_internal.wasm', 'models/selfie_segmenter.tflite'];

const results = [];
const warnings = [];
/** PACKAGE_CHECK_ONLY=<regex>: run only the checks whose names match (packing and installing always run). */
const only = process.env.PACKAGE_CHECK_ONLY ? new RegExp(process.env.PACKAGE_CHECK_ONLY, 'i') : null;

/** Runs one named check, timing it; a thrown Error (or a list of problems) fails it. */
async function check(name, fn) {
  if (only && !only.test(name) && !name.startsWith('npm ')) return true;
  const t0 = Date.now();
  let problems = [];
  let note = '';
  try {
    const outcome = await fn();
    if (Array.isArray(outcome)) problems = outcome;
    else if (typeof outcome === 'string') note = outcome;
    else if (outcome) ({ problems = [], note = '' } = outcome);
  } catch (error) {
    problems = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
  }
  const seconds = (Date.now() - t0) / 1000;
  results.push({ name, ok: problems.length === 0, seconds, problems, note });
  const mark = problems.length ? 'FAIL' : 'ok  ';
  console.log(`${mark} ${name} (${seconds.toFixed(1)} s)${note ? ` — ${note}` : ''}`);
  for (const problem of problems) console.log(`       ${problem.replaceAll('\n', '\n       ')}`);
  return problems.length === 0;
}

/** Runs a command, resolving with stdout; rejects with its stderr in the message. */
async function sh(file, args, options = {}) {
  try {
    const { stdout } = await run(file, args, { maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1', ...options.env } });
    return stdout;
  } catch (error) {
    throw new Error(`${file} ${args.join(' ')} failed (exit ${error.code}):\n${error.stdout ?? ''}${error.stderr ?? ''}`.trim());
  }
}

// ---------------------------------------------------------------------------
// 0. Preconditions: the build exists, the Chromium flags match the test runner's.


// ---------------------------------------------------------------------------
// 1. Pack, list, install.

async function pack(work) {
  const out = await sh('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo });
  // npm may print lifecycle output before the JSON.
  const info = JSON.parse(out.slice(out.indexOf('[')))[0];
  return { tarball: join(work, info.filename), files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize };
}

function tarballProblems(files) {
  const problems = [];
  const have = new Set(files);
  if (!existsSync(join(repo, 'LICENSE'))) problems.push('LICENSE is missing from the repository root (package.json "files" lists it, the package is Apache-2.0, and Apache-2.0 §4(a) asks for a copy with every redistribution): add the Apache-2.0 text as LICENSE');
  for (const file of requiredFiles) if (!have.has(file)) problems.push(`the tarball lacks ${file}`);
  // Every path that package.json points a consumer at must be in the tarball.
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const targets = new Set([pkg.main, pkg.module, pkg.types, pkg.customElements]);
  const walk = (value) => {
    if (typeof value === 'string') targets.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  for (const target of targets) {
    if (!target) continue;
    const path = target.replace(/^\.\//, '');
    if (!have.has(path)) problems.push(`package.json points at ${target}, which is not in the tarball`);
  }
  const stray = files.filter((f) => /^(src|components|workers|gpu|test|scripts|demo|scratch|node_modules)\//.test(f));
  if (stray.length) problems.push(`the tarball carries repository-only files: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''}`);
  return problems;
}

function manifestProblems(pkgDir) {
  const problems = [];
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.customElements !== 'custom-elements.json') problems.push(`package.json "customElements" is ${JSON.stringify(pkg.customElements)}, expected "custom-elements.json"`);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'custom-elements.json'), 'utf8'));
  const element = manifest.modules?.flatMap((m) => m.declarations ?? []).find((d) => d.customElement && d.tagName === 'blur-camera');
  if (!element) return [...problems, 'custom-elements.json declares no custom element with tagName blur-camera'];
  const events = new Set((element.events ?? []).map((e) => e.name));
  for (const name of ['trackready', 'tierchange', 'statechange', 'error']) if (!events.has(name)) problems.push(`custom-elements.json: <blur-camera> lacks event ${name}`);
  const attributes = new Set((element.attributes ?? []).map((a) => a.name));
  for (const name of ['sigma', 'assets-url', 'max-tier', 'model', 'autostart']) if (!attributes.has(name)) problems.push(`custom-elements.json: <blur-camera> lacks attribute ${name}`);
  const definedIn = manifest.modules?.filter((m) => m.exports?.some((e) => e.kind === 'custom-element-definition' && e.name === 'blur-camera')) ?? [];
  if (!definedIn.length) problems.push('custom-elements.json has no custom-element-definition export for blur-camera');
  // Every module path, and every module of a reference into this package (one with no "package"), must be a file of the installed package.
  const named = [];
  const collect = (node) => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== 'object') return;
    if (typeof node.path === 'string') named.push(node.path);
    if (typeof node.module === 'string' && node.package === undefined) named.push(node.module);
    Object.values(node).forEach(collect);
  };
  collect(manifest.modules);
  const unshipped = [...new Set(named)].filter((p) => !existsSync(join(pkgDir, p)) || !statSync(join(pkgDir, p)).isFile());
  if (unshipped.length) problems.push(`custom-elements.json names files the package does not ship (${unshipped.slice(0, 3).join(', ')}${unshipped.length > 3 ? `, … ${unshipped.length} in all` : ''}): tools that follow "path" and "module" find nothing`);
  return problems;
}

// ---------------------------------------------------------------------------
// 2. Serving the installed package and opening it in Chromium.

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.tflite': 'application/octet-stream',
  '.css': 'text/css',
};

/**
 * A static server: `routes` maps URL prefixes to folders (longest prefix
 * first), each with an optional `allow(relativePath)` filter; everything else
 * is 404. Every request is logged.
 */
async function serve(routes) {
  const log = [];
  const sorted = Object.entries(routes).sort(([a], [b]) => b.length - a.length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const entry = { path, status: 404 };
    log.push(entry);
    const send = (status, body = '') => {
      entry.status = status;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    };
    const route = sorted.find(([prefix]) => path.startsWith(prefix));
    if (!route) return send(404, 'not found');
    const [prefix, { dir, allow }] = route;
    let relative = path.slice(prefix.length);
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    if (allow && !allow(relative)) return send(404, 'not served here');
    const file = resolve(dir, relative);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return send(404, 'not found');
    entry.status = 200;
    res.writeHead(200, { 'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { origin: `http://127.0.0.1:${server.address().port}`, log, close: () => new Promise((done) => server.close(done)) };
}

/**
 * Records every request of the page, its frames and its workers from the
 * browser's side: a DevTools session that auto-attaches to each worker as it
 * starts (paused until the recorder listens) and to their children.
 */
async function recordRequests(page) {
  const requests = [];
  const watch = async (session, targetType) => {
    session.on('Network.requestWillBeSent', (event) => requests.push({ url: event.request.url, type: event.type, target: targetType }));
    session.on('Network.responseReceived', (event) => {
      const request = requests.findLast((r) => r.url === event.response.url && r.status === undefined);
      if (request) request.status = event.response.status;
    });
    session.on('Network.loadingFailed', (event) => requests.push({ url: `(failed: ${event.errorText}, ${event.blockedReason ?? 'not blocked'})`, type: event.type, target: targetType, failed: true }));
    session.on('Network.webSocketCreated', (event) => requests.push({ url: event.url, type: 'websocket', target: targetType }));
    session.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
      const child = session.connection()?.session(sessionId);
      if (child) void watch(child, targetInfo.type).catch(() => undefined);
    });
    try {
      await session.send('Network.enable');
      await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    } finally {
      if (targetType !== 'page') await session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    }
  };
  await watch(await page.createCDPSession(), 'page');
  return requests;
}

/** Listens for the element's events before any page script runs (capture on window sees non-bubbling events). */
function eventCatcher() {
  const seen = [];
  window.__blurCameraEvents = seen;
  for (const type of ['trackready', 'error', 'tierchange', 'statechange']) {
    window.addEventListener(
      type,
      (event) => {
        if (event.target?.localName !== 'blur-camera') return;
        const detail = event.detail ?? {};
        seen.push({ type, tier: detail.tier ?? null, state: detail.state ?? null, errorType: detail.type ?? null, message: detail.message ?? null, trackLive: detail.track ? detail.track.readyState === 'live' : null });
      },
      true,
    );
  }
}

/**
 * Opens `pagePath` in a fresh browser context and waits for `trackready`
 * (or `error`, or the time limit); returns what the page and the server saw.
 */
async function openPage(browser, server, pagePath, timeoutMs = 60000) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    const requests = await recordRequests(page);
    await page.evaluateOnNewDocument(eventCatcher);
    const t0 = Date.now();
    await page.goto(server.origin + pagePath, { waitUntil: 'load' });
    const outcome = await page.waitForFunction(() => window.__blurCameraEvents.find((e) => e.type === 'trackready' || e.type === 'error'), { timeout: timeoutMs, polling: 100 }).then(
      (handle) => handle.jsonValue(),
      (error) => ({ type: 'timeout', message: error.message }),
    );
    const seconds = (Date.now() - t0) / 1000;
    // trackready comes with the first (fully blurred) frame, before the model need have loaded: wait for a mask too.
    let maskSeconds = null;
    if (outcome.type === 'trackready') {
      const masked = await page
        .waitForFunction(() => (document.querySelector('blur-camera')?.stats?.masks ?? 0) > 0 || window.__blurCameraEvents.some((e) => e.type === 'error'), { timeout: timeoutMs, polling: 100 })
        .then(() => page.evaluate(() => (document.querySelector('blur-camera')?.stats?.masks ?? 0) > 0))
        .catch(() => false);
      if (masked) maskSeconds = (Date.now() - t0) / 1000;
    }
    // A second for requests still in flight (another model, a late worker fetch) to show up.
    await new Promise((done) => setTimeout(done, 1000));
    const state = await page.evaluate(() => {
      const el = document.querySelector('blur-camera');
      return { defined: !!customElements.get('blur-camera'), state: el?.state ?? null, tier: el?.tier ?? null, hasStream: !!el?.stream, masks: el?.stats?.masks ?? 0, events: window.__blurCameraEvents };
    });
    return { outcome, seconds, maskSeconds, state, requests: [...requests], serverLog: [...server.log], consoleErrors };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/**
 * Checks one page run: it reached `trackready`; every request, as the browser
 * and as the server saw it, is the page, /favicon.ico, or under one of
 * `allowedPrefixes`; `required` paths were fetched with 200; `forbidden`
 * prefixes were not asked for.
 */
function judge(run, server, { pagePath, allowedPrefixes, required, forbidden = [] }) {
  const problems = [];
  const { outcome, state, requests, serverLog, consoleErrors } = run;
  if (outcome.type !== 'trackready') problems.push(`no trackready: ${outcome.type}${outcome.errorType ? ` ${outcome.errorType}` : ''}${outcome.message ? `: ${outcome.message}` : ''}`);
  else if (!outcome.trackLive) problems.push('trackready fired with a track that is not live');
  if (outcome.type === 'trackready' && !state.hasStream) problems.push('.stream is null after trackready');
  if (outcome.type === 'trackready' && !state.masks) problems.push('no mask from the segmenter: the wasm or the model did not load or run (the output stays fully blurred)');
  for (const event of state.events.filter((e) => e.type === 'error')) problems.push(`error event: ${event.errorType}: ${event.message}`);
  const isAllowed = (path) => path === pagePath || path === '/favicon.ico' || allowedPrefixes.some((prefix) => path.startsWith(prefix));
  for (const request of requests) {
    if (request.failed) {
      problems.push(`the browser reports a failed load: ${request.url} (${request.target})`);
      continue;
    }
    let url;
    try {
      url = new URL(request.url);
    } catch {
      problems.push(`unparseable request URL ${request.url}`);
      continue;
    }
    // A WebSocket back to the page's own host and port (Vite's dev server: its HMR channel) is same-origin too.
    const ownSocket = request.type === 'websocket' && url.protocol === 'ws:' && url.host === new URL(server.origin).host;
    if (url.origin !== server.origin && !ownSocket) problems.push(`request to another origin: ${request.url} (${request.type}, from ${request.target})`);
    else if (!ownSocket && !isAllowed(url.pathname)) problems.push(`request outside the package: ${url.pathname} (${request.type}, from ${request.target})`);
    if (request.status !== undefined && request.status >= 400 && url.pathname !== '/favicon.ico') problems.push(`HTTP ${request.status} for ${url.pathname} (from ${request.target})`);
  }
  for (const entry of serverLog) {
    if (!isAllowed(entry.path)) problems.push(`the server was asked for ${entry.path}, outside the package`);
    // 304: a dev server's answer to a worker asking again for a module the page already has (Vite's client).
    else if (entry.status !== 200 && entry.status !== 304 && entry.path !== '/favicon.ico') problems.push(`the server answered ${entry.status} for ${entry.path}`);
  }
  for (const path of required) {
    if (!serverLog.some((e) => e.path === path && e.status === 200)) problems.push(`${path} was never fetched`);
    // The server's log is the truth; the browser-side record must have seen the same (workers included).
    else if (!requests.some((r) => !r.failed && new URL(r.url).pathname === path)) problems.push(`${path} was fetched, but the DevTools request record missed it (worker requests not recorded?)`);
  }
  for (const prefix of forbidden) for (const entry of serverLog) if (entry.path.startsWith(prefix)) problems.push(`${entry.path} was fetched, but ${prefix} should not be used here`);
  if (problems.length && consoleErrors.length) problems.push(`console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
  return problems;
}

function summarize(run) {
  if (process.env.PACKAGE_CHECK_VERBOSE) {
    for (const r of run.requests) console.log(`       browser: ${r.target} ${r.type} ${r.status ?? '-'} ${r.url}`);
    for (const e of run.serverLog) console.log(`       server: ${e.status} ${e.path}`);
  }
  const fromWorkers = run.requests.filter((r) => r.target === 'worker').length;
  return `trackready in ${run.seconds.toFixed(1)} s, first mask at ${run.maskSeconds?.toFixed(1) ?? '-'} s, tier ${run.state.tier}, ${run.serverLog.length} files served, ${run.requests.length} requests recorded (${fromWorkers} from workers)`;
}

// ---------------------------------------------------------------------------
// 2b. Apps built by bundlers from the installed package.

/** A minimal app in the consumer folder, so that `import 'blur-camera'` resolves to the installed tarball. */
function writeApp(consumer, name, scriptTag = '<script type="module" src="./main.js"></script>') {
  const app = join(consumer, name);
  mkdirSync(app);
  writeFileSync(join(app, 'index.html'), `<!doctype html>\n<title>${name}</title>\n${scriptTag}\n<blur-camera></blur-camera>\n`);
  writeFileSync(join(app, 'main.js'), "import 'blur-camera';\n");
  return app;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/**
 * The runtime files a bundler emitted into `outDir`, found by content (each
 * bundler names them its own way): the wasm and the general model byte for
 * byte as the package ships them, each wasm loader by emscripten's error
 * message and whether it names LiteRT's wasm (it may be copied as is or
 * rebundled and minified). Returns the URL paths (the output folder served at
 * `/`) of the files the app's default run fetches here (LiteRT's, as the model
 * runs on the CPU), and a problem for each file missing, MediaPipe's too: a
 * bundler that did not emit one leaves the app to fetch it from somewhere else.
 */
function emittedRuntime(outDir, pkgDist) {
  const files = filesUnder(outDir);
  const same = (file, shipped) => statSync(file).size === statSync(shipped).size && readFileSync(file).equals(readFileSync(shipped));
  // Both are emscripten loaders; LiteRT's names its wasm in a string that minifiers keep, MediaPipe's has no such string.
  const loader = (file, liteRt) => /\.m?js$/.test(file) && readFileSync(file, 'utf8').includes('both async and sync fetching of the wasm failed') && readFileSync(file, 'utf8').includes('litert_wasm_compat_internal.wasm') === liteRt;
  const found = [
    { what: "MediaPipe's wasm", fetched: false, file: files.find((f) => f.endsWith('.wasm') && same(f, join(pkgDist, 'wasm', 'vision_wasm_module_internal.wasm'))) },
    { what: 'the general model', fetched: true, file: files.find((f) => f.endsWith('.tflite') && same(f, join(pkgDist, 'models', 'selfie_segmenter.tflite'))) },
    { what: "MediaPipe's wasm loader", fetched: false, file: files.find((f) => loader(f, false)) },
    { what: "LiteRT's wasm", fetched: true, file: files.find((f) => f.endsWith('.wasm') && same(f, join(pkgDist, 'wasm', 'litert_wasm_compat_internal.wasm'))) },
    { what: "LiteRT's wasm loader", fetched: true, file: files.find((f) => loader(f, true)) },
  ];
  const problems = [];
  const paths = [];
  for (const { what, fetched, file } of found) {
    if (!file) problems.push(`${what} is not in the build's output (${outDir})`);
    else if (fetched) paths.push(`/${file.slice(outDir.length + 1).split(sep).join('/')}`);
  }
  return { paths, problems };
}

/** Builds with webpack 5's Node API; rejects with its errors. */
async function webpackBuild(config) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((done, fail) => {
    const compiler = webpack(config);
    compiler.run((error, result) => compiler.close(() => (error ? fail(error) : done(result))));
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if (stats.hasErrors()) throw new Error(`webpack reported:\n${info.errors.map((e) => e.message).join('\n')}`);
  // The size hints (a 10 MB wasm is over webpack's 244 KiB advice) are not about the package's code.
  return info.warnings.map((w) => w.message).filter((m) => !/exceed the recommended size limit|can impact web performance|limit the size of your bundles/i.test(m));
}

// ---------------------------------------------------------------------------
// 3. Types, from a consumer project.

const consumerSource = `// A consumer of the package, compiled by scripts/package-check.mjs.
import 'blur-camera';
import { BlurProcessor, type TrackReadyDetail, type BlurCameraEventMap } from 'blur-camera';

const el = document.querySelector('blur-camera')!;
const s: MediaStream | null = el.stream;
el.addEventListener('trackready', (e) => {
  const t: MediaStreamTrack = e.detail.track;
  const stream: MediaStream = e.detail.stream;
  const tier: 1 | 2 | 3 | 4 | 5 = e.detail.tier;
  // @ts-expect-error detail.track is a MediaStreamTrack, not a number (fails if detail is any)
  const wrong: number = e.detail.track;
  void [t, stream, tier, wrong];
});
el.addEventListener('error', (e) => {
  const k: string = e.detail.type;
  const m: string = e.detail.message;
  // @ts-expect-error 'not-a-type' is not a BlurErrorType (fails if detail.type is string or any)
  const bad: typeof e.detail.type = 'not-a-type';
  void [k, m, bad];
});
el.addEventListener('statechange', (e) => {
  const state: 'idle' | 'starting' | 'running' | 'error' | 'stopped' = e.detail.state;
  void state;
});
el.addEventListener('tierchange', (e) => void e.detail.refused.map((r) => r.reason));
el.addEventListener('click', (e) => void e.clientX);
el.sigma = 16;
el.assetsUrl = '/assets/';
// @ts-expect-error sigma is a number (fails if the element's properties are any)
el.sigma = 'x';
// @ts-expect-error stream is read-only
el.stream = null;
// @ts-expect-error no such property (fails if the element is typed loosely)
el.notAProperty;
const started: Promise<void> = document.createElement('blur-camera').start();
const created = document.createElement('blur-camera');
const stopped: Promise<void> = created.stop();
const detail: TrackReadyDetail | undefined = undefined;
type TrackReady = BlurCameraEventMap['trackready'];
const handler = (e: TrackReady): MediaStreamTrack => e.detail.track;
declare const input: MediaStreamTrack;
const processor = new BlurProcessor(input, { sigma: 8 });
processor.addEventListener('error', (e) => void e.detail.message);
void [s, started, stopped, detail, handler, processor];
`;

/** The compile that a consumer would run: strict, DOM, the installed package's types. */
async function compile(dir, file, resolution) {
  const moduleFlags = resolution === 'nodenext' ? ['--module', 'nodenext', '--moduleResolution', 'nodenext'] : ['--module', 'esnext', '--moduleResolution', 'bundler'];
  // --skipDefaultLibCheck skips checking TypeScript's own lib.dom.d.ts (seconds on a busy machine), not the package's or lit's declarations.
  const args = [tsc, '--strict', '--noEmit', '--lib', 'dom,es2022', '--target', 'es2022', ...moduleFlags, '--skipDefaultLibCheck', '--pretty', 'false', file];
  try {
    await run(process.execPath, args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() };
  }
}

// ---------------------------------------------------------------------------

async function main() {
  console.log('Package check: npm pack, install outside the repository, use it from plain pages in Chromium, compile a consumer.');
  for (const path of ['dist/blur-camera.js', 'dist/blur-worker.js', 'dist/segmenter-worker.js', 'dist/types/components/index.d.ts']) {
    if (!existsSync(join(repo, path))) {
      console.error(`${path} is missing: run \`npm run build\` first.`);
      process.exit(1);
    }
  }

  const work = mkdtempSync(join(tmpdir(), 'blur-camera-package-check-'));
  const consumer = join(work, 'consumer');
  const pkgDir = join(consumer, 'node_modules', 'blur-camera');
  const pkgDist = join(pkgDir, 'dist');
  let browser;
  const servers = [];
  const cleanup = () => {
    if (process.env.PACKAGE_CHECK_KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    let packed;
    await check('npm pack: the tarball holds dist, wasm, models, types, the manifest, README and LICENSE', async () => {
      packed = await pack(work);
      return { problems: tarballProblems(packed.files), note: `${packed.files.length} files, ${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked` };
    });
    if (!packed) throw new Error('npm pack failed; nothing to install');

    const installed = await check('npm install <tarball> into a fresh folder outside the repository', async () => {
      mkdirSync(consumer);
      await sh('npm', ['init', '-y'], { cwd: consumer });
      const pkg = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8'));
      // An app, not a library: no "main" (Parcel would take `npm init`'s "main": "index.js" for a build target).
      delete pkg.main;
      writeFileSync(join(consumer, 'package.json'), JSON.stringify({ ...pkg, private: true, type: 'module' }, null, 2));
      await sh('npm', ['install', packed.tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'], { cwd: consumer });
      const problems = [];
      for (const file of packed.files) if (!existsSync(join(pkgDir, file))) problems.push(`node_modules/blur-camera/${file} is in the tarball but missing after install`);
      for (const dependency of Object.keys(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).dependencies ?? {})) {
        if (!existsSync(join(consumer, 'node_modules', dependency, 'package.json'))) problems.push(`dependency ${dependency} was not installed`);
      }
      return { problems, note: consumer.replace(work, '$TMP') };
    });
    if (!installed) throw new Error('the tarball did not install');

    await check('custom-elements.json: <blur-camera> with its events and attributes', () => manifestProblems(pkgDir));

    // Chromium pages.
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing; set CHROMIUM_PATH`);
    if (!existsSync(cameraClip)) throw new Error(`${cameraClip} is missing (the fake camera's clip, ../shared/media)`);
    writeFileSync(join(consumer, 'index.html'), '<script type="module" src="node_modules/blur-camera/dist/blur-camera.js"></script>\n<blur-camera></blur-camera>\n');
    writeFileSync(join(consumer, 'mediapipe.html'), '<script type="module" src="node_modules/blur-camera/dist/blur-camera.js"></script>\n<blur-camera segmenter="mediapipe"></blur-camera>\n');
    const cmsPages = join(work, 'cms-pages');
    mkdirSync(join(cmsPages, 'demo'), { recursive: true });
    writeFileSync(join(cmsPages, 'demo', 'index.html'), '<!doctype html>\n<title>CMS page</title>\n<script type="module" src="/cms/static/plugins/blurcam/v1/blur-camera.js"></script>\n<blur-camera></blur-camera>\n');
    const mirrorPages = join(work, 'mirror-pages');
    mkdirSync(mirrorPages);
    writeFileSync(join(mirrorPages, 'index.html'), '<!doctype html>\n<title>Assets elsewhere</title>\n<script type="module" src="/node_modules/blur-camera/dist/blur-camera.js"></script>\n<blur-camera assets-url="/cdn-mirror/blur-assets/"></blur-camera>\n');
    writeFileSync(join(mirrorPages, 'mediapipe.html'), '<!doctype html>\n<title>Assets elsewhere, MediaPipe</title>\n<script type="module" src="/node_modules/blur-camera/dist/blur-camera.js"></script>\n<blur-camera segmenter="mediapipe" assets-url="/cdn-mirror/blur-assets/"></blur-camera>\n');

    const t0 = Date.now();
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, protocolTimeout: 120000 });
    console.log(`     (Chromium ${await browser.version()} started in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    for (const [page, required, label] of [['/index.html', requiredRequests, ''], ['/mediapipe.html', requiredMediaPipeRequests, ', segmenter="mediapipe"']]) {
      await check(`plain page from node_modules reaches trackready, every asset from the package${label}`, async () => {
        const server = await serve({ '/': { dir: consumer } });
        servers.push(server);
        const prefix = '/node_modules/blur-camera/';
        const result = await openPage(browser, server, page);
        const problems = judge(result, server, { pagePath: page, allowedPrefixes: [prefix], required: required.map((p) => `${prefix}dist/${p}`) });
        return { problems, note: summarize(result) };
      });
    }

    await check('CMS prefix: dist served under /cms/static/plugins/blurcam/v1/, page under /cms/pages/demo/', async () => {
      const prefix = '/cms/static/plugins/blurcam/v1/';
      const server = await serve({ [prefix]: { dir: pkgDist }, '/cms/pages/': { dir: cmsPages } });
      servers.push(server);
      const result = await openPage(browser, server, '/cms/pages/demo/index.html');
      const problems = judge(result, server, { pagePath: '/cms/pages/demo/index.html', allowedPrefixes: [prefix], required: requiredRequests.map((p) => `${prefix}${p}`) });
      return { problems, note: summarize(result) };
    });

    await check('Vite build: an app that imports blur-camera, built with vite build, blurs with every file from its own output, none copied by hand', async () => {
      // The app lives in the consumer folder, so `import 'blur-camera'` resolves to the installed tarball.
      const app = join(consumer, 'vite-app');
      mkdirSync(app);
      writeFileSync(join(app, 'index.html'), '<!doctype html>\n<title>Vite app</title>\n<script type="module" src="./main.js"></script>\n<blur-camera></blur-camera>\n');
      writeFileSync(join(app, 'main.js'), "import 'blur-camera';\n");
      await sh(process.execPath, [join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: app });
      const server = await serve({ '/': { dir: join(app, 'dist') } });
      servers.push(server);
      const result = await openPage(browser, server, '/index.html');
      const problems = judge(result, server, { pagePath: '/index.html', allowedPrefixes: ['/assets/'], required: [] });
      // Vite names its output with hashes: each runtime file must have been fetched from the build's own assets.
      for (const file of ['blur-worker', 'litert_wasm_compat_internal', 'selfie_segmenter']) {
        const pattern = new RegExp(`^/assets/${file}-[\\w-]+\\.(js|wasm|tflite)$`);
        if (!result.serverLog.some((entry) => pattern.test(entry.path) && entry.status === 200)) problems.push(`no ${file} file was fetched from the Vite build's /assets/`);
      }
      return { problems, note: summarize(result) };
    });

    await check('Vite dev: the same app under Vite\'s dev server (no config) blurs, every file from that server', async () => {
      const app = writeApp(consumer, 'vite-dev-app');
      const { createServer: createViteServer, createLogger } = await import('vite');
      const log = [];
      // Vite's warnings (it warns of each source map entry that points outside the package) go to the summary, not the console.
      const logger = createLogger('warn');
      const viteWarnings = [];
      logger.warn = (message) => viteWarnings.push(message);
      logger.warnOnce = logger.warn;
      const vite = await createViteServer({
        root: app,
        configFile: false,
        customLogger: logger,
        clearScreen: false,
        server: { host: '127.0.0.1', port: 0 },
        // No optimizeDeps line: Vite pre-bundles blur-camera into node_modules/.vite/deps/ and, doing so, points its
        // `new URL('./…', import.meta.url)` at the package's own files (/@fs/…/blur-camera/dist/…), checked below.
        plugins: [
          {
            name: 'request-log',
            configureServer(server) {
              server.middlewares.use((req, res, next) => {
                const entry = { path: decodeURIComponent(new URL(req.url, 'http://x').pathname), status: 0 };
                log.push(entry);
                // The status as the response starts, as the static server logs it: a large file (the 11 MB wasm,
                // fetched again for the governor's second model) can still be streaming when the page is closed.
                const writeHead = res.writeHead.bind(res);
                res.writeHead = (status, ...rest) => {
                  entry.status = status;
                  return writeHead(status, ...rest);
                };
                res.on('finish', () => (entry.status = res.statusCode));
                next();
              });
            },
          },
        ],
      });
      await vite.listen();
      const server = { origin: `http://127.0.0.1:${vite.httpServer.address().port}`, log, close: () => vite.close() };
      servers.push(server);
      const result = await openPage(browser, server, '/index.html');
      // The dev server's own paths: the app's module, Vite's client, and the package's files through /node_modules/ (or /@fs/).
      const problems = judge(result, server, {
        pagePath: '/index.html',
        allowedPrefixes: ['/main.js', '/@vite/', '/@id/', '/@fs/', '/node_modules/'],
        required: [],
      });
      for (const [what, pattern] of [
        ['the blur worker', /\/blur-camera\/dist\/blur-worker\.js$/],
        ['the segmenter worker', /\/blur-camera\/dist\/segmenter-worker\.js$/],
        ['the wasm loader', /\/blur-camera\/dist\/wasm\/litert_wasm_compat_internal\.js$/],
        ['the wasm', /\/blur-camera\/dist\/wasm\/litert_wasm_compat_internal\.wasm$/],
        ['the general model', /\/blur-camera\/dist\/models\/selfie_segmenter\.tflite$/],
      ]) {
        if (!log.some((entry) => pattern.test(entry.path) && entry.status === 200)) problems.push(`${what} was never fetched from the dev server (${pattern})`);
      }
      const prebundled = log.some((entry) => /\/\.vite\/deps\/blur-camera\.js$/.test(entry.path) && entry.status === 200);
      if (!prebundled) problems.push('the page did not load blur-camera pre-bundled from node_modules/.vite/deps/: the check no longer covers what an app gets by default');
      if (viteWarnings.length) warnings.push(`Vite dev server: ${viteWarnings.length} warnings, the first: ${viteWarnings[0].split('\n')[0]}`);
      return { problems, note: summarize(result) };
    });

    /** Serves a bundler's output folder and opens its page; the runtime files must be the build's own, fetched from it. */
    const openBuiltApp = async (out) => {
      const emitted = emittedRuntime(out, pkgDist);
      const server = await serve({ '/': { dir: out } });
      servers.push(server);
      const result = await openPage(browser, server, '/index.html');
      return { result, problems: [...emitted.problems, ...judge(result, server, { pagePath: '/index.html', allowedPrefixes: ['/'], required: emitted.paths })] };
    };

    await check('webpack 5: the app built with webpack (mode production, entry and output only) blurs with every file from its own output', async () => {
      const app = writeApp(consumer, 'webpack-app', '<script defer src="./main.js"></script>');
      const out = join(app, 'dist');
      const webpackWarnings = await webpackBuild({ mode: 'production', context: app, entry: './main.js', output: { path: out } });
      writeFileSync(join(out, 'index.html'), readFileSync(join(app, 'index.html')));
      const { result, problems } = await openBuiltApp(out);
      for (const warning of webpackWarnings) problems.push(`webpack warned: ${warning}`);
      return { problems, note: summarize(result) };
    });

    await check('esbuild: the app built with esbuild and @chialab/esbuild-plugin-meta-url blurs with every file from its own output', async () => {
      const app = writeApp(consumer, 'esbuild-app');
      const out = join(app, 'dist');
      const { build } = await import('esbuild');
      const { default: metaUrl } = await import('@chialab/esbuild-plugin-meta-url');
      // Exactly the README's options: the plugin, and node:module left out (the wasm loader imports it only under Node).
      const built = await build({
        absWorkingDir: app,
        entryPoints: ['main.js'],
        outdir: 'dist',
        bundle: true,
        format: 'esm',
        plugins: [metaUrl()],
        external: ['node:module'],
        logLevel: 'silent',
      });
      writeFileSync(join(out, 'index.html'), readFileSync(join(app, 'index.html')));
      const { result, problems } = await openBuiltApp(out);
      for (const warning of built.warnings) problems.push(`esbuild warned: ${warning.text}`);
      return { problems, note: summarize(result) };
    });

    await check('Parcel 2: the app built with parcel build (no config) blurs with every file from its own output', async () => {
      const app = writeApp(consumer, 'parcel-app');
      const out = join(app, 'dist');
      const { Parcel } = await import('@parcel/core');
      const bundler = new Parcel({
        entries: join(app, 'index.html'),
        defaultConfig: createRequire(import.meta.url).resolve('@parcel/config-default'),
        mode: 'production',
        defaultTargetOptions: { distDir: out },
        // As `parcel build --no-autoinstall`: a build that needs Node's polyfills fails here instead of installing them.
        shouldAutoInstall: false,
        shouldDisableCache: true,
        cacheDir: join(work, 'parcel-cache'),
        logLevel: 'error',
      });
      try {
        await bundler.run();
      } catch (error) {
        const diagnostics = error?.diagnostics?.map((d) => `${d.origin ?? ''}: ${d.message}`).join('\n');
        throw new Error(`parcel build failed: ${diagnostics || error}`);
      }
      const { result, problems } = await openBuiltApp(out);
      return { problems, note: summarize(result) };
    });

    for (const [page, required, label] of [['/index.html', requiredRequests, ''], ['/mediapipe.html', requiredMediaPipeRequests, ', segmenter="mediapipe"']]) {
      await check(`assets-url: wasm and models only from /cdn-mirror/blur-assets/${label}`, async () => {
        const scripts = '/node_modules/blur-camera/dist/';
        const mirror = '/cdn-mirror/blur-assets/';
        const server = await serve({
          '/': { dir: mirrorPages, allow: (p) => p === page.slice(1) },
          // The scripts' own folder serves no wasm and no models, so a fallback to it would 404.
          [scripts]: { dir: pkgDist, allow: (p) => !p.startsWith('wasm/') && !p.startsWith('models/') },
          [mirror]: { dir: pkgDist, allow: (p) => p.startsWith('wasm/') || p.startsWith('models/') },
        });
        servers.push(server);
        const result = await openPage(browser, server, page);
        const problems = judge(result, server, {
          pagePath: page,
          // The segmenter worker is a script beside the blur worker, not an asset: assets-url does not move it.
          allowedPrefixes: [`${scripts}blur-camera.js`, `${scripts}blur-worker.js`, `${scripts}segmenter-worker.js`, mirror],
          required: [`${scripts}blur-camera.js`, `${scripts}blur-worker.js`, ...required.filter((p) => p.includes('/')).map((p) => `${mirror}${p}`)],
          forbidden: [`${scripts}wasm/`, `${scripts}models/`],
        });
        return { problems, note: summarize(result) };
      });
    }
    await browser.close();
    browser = undefined;

    // Types.
    writeFileSync(join(consumer, 'consumer.ts'), consumerSource);
    for (const resolution of ['nodenext', 'bundler']) {
      await check(`types: a strict consumer compiles against the installed package (${resolution} resolution)`, async () => {
        const { ok, output } = await compile(consumer, 'consumer.ts', resolution);
        return ok ? [] : [`tsc reported:\n${output}`];
      });
    }
    await check('types control: the same consumer fails against types degraded to any', async () => {
      // A copy of the package whose element types are erased: if this compiles, the checks above prove nothing.
      const control = join(work, 'control');
      mkdirSync(control);
      writeFileSync(join(control, 'package.json'), JSON.stringify({ name: 'control', private: true, type: 'module' }));
      await sh('cp', ['-r', join(consumer, 'node_modules'), join(control, 'node_modules')]);
      const dts = join(control, 'node_modules', 'blur-camera', 'dist', 'types', 'components', 'blur-camera.component.d.ts');
      const original = readFileSync(dts, 'utf8');
      const degraded = original.replace(/declare global \{[\s\S]*$/, "declare global {\n    interface HTMLElementTagNameMap {\n        'blur-camera': any;\n    }\n}\n");
      if (degraded === original) return ['could not find the HTMLElementTagNameMap augmentation to degrade'];
      writeFileSync(dts, degraded);
      writeFileSync(join(control, 'consumer.ts'), consumerSource);
      const { ok, output } = await compile(control, 'consumer.ts', 'bundler');
      if (ok) return ['the consumer compiled against degraded types: the @ts-expect-error lines no longer guard anything'];
      const unused = (output.match(/error TS2578/g) ?? []).length;
      return { problems: unused ? [] : [`it failed, but not on unused @ts-expect-error lines:\n${output}`], note: `failed as it should (${unused} unused @ts-expect-error)` };
    });
  } catch (error) {
    results.push({ name: 'package check', ok: false, seconds: 0, problems: [error instanceof Error ? error.message : String(error)], note: '' });
    console.log(`FAIL ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    cleanup();
  }

  const failed = results.filter((r) => !r.ok);
  console.log('');
  for (const warning of warnings) console.log(`warning: ${warning}`);
  console.log(`Package check: ${results.length - failed.length} passed, ${failed.length} failed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  for (const result of failed) console.log(`  failed: ${result.name}`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
