// The benchmark's page side: runs one system on the fake camera and measures
// what the page can see (delivered frames, latency by timestamp, long tasks,
// JS heap, per-stage milliseconds). CPU and process memory are read by the
// Node side from /proc.
//
// ?maxTier=N runs <blur-camera>'s BlurProcessor capped at tier N; &segmenter=litert segments with LiteRT.js.
// ?system=element mounts <blur-camera> itself, as a page does: it opens its own
// camera, shows its preview, and its .stream is read. It is mounted twice:
// the first mount's startup is cold (a fresh browser), the second's warm, and
// the second runs for the window.
// ?system=livekit runs @livekit/track-processors' BackgroundBlur, wired the way
// livekit-client's LocalVideoTrack.setProcessor() wires it (no room needed),
// from the bundle scripts/bench.mjs writes to bench-results/bundle/ and with
// every asset served from this origin.

const params = new URLSearchParams(location.search);
const profile = params.get('profile') === '1';
const system = params.get('system') ?? 'blur-camera';
const maxTier = Number(params.get('maxTier') ?? 1);
// LiveKit only: &delegate=CPU overrides its default segmenter delegate ('GPU').
const delegate = params.get('delegate');

// Any request that leaves this origin (a CDN fallback, say) is an error in
// the result. The Node side also watches the page's requests.
const offOriginRequests = [];
const noteResource = (url) => {
  if (/^(data|blob):/.test(url)) return;
  if (new URL(url, location.href).origin !== location.origin) offOriginRequests.push(url);
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) noteResource(entry.name);
}).observe({ type: 'resource', buffered: true });

const camera = (await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } })).getVideoTracks()[0];

/** Starts a system on the camera; resolves to { output, tier, stats() , info }. */
async function startBlurCamera() {
  const { BlurProcessor } = await import('../../dist/blur-camera.js');
  const background = params.get('background');
  const processor = new BlurProcessor(camera, { sigma: 8, maxTier, profile, renderer: params.get('renderer') === 'gpu' ? 'gpu' : 'auto', segmenter: params.get('segmenter') ?? 'auto', ...(background ? { background } : {}) });
  const output = await processor.start();
  return { output, tier: processor.tier, stats: () => processor.stats, info: {}, processedFrames: () => null };
}

/** Mounts a <blur-camera> and times it: connected → trackready, and → the first frame with a mask. */
async function mountElement() {
  const element = document.createElement('blur-camera');
  element.setAttribute('max-tier', String(maxTier));
  element.sigma = 8;
  const connected = performance.now();
  const ready = new Promise((resolve, reject) => {
    element.addEventListener('trackready', (event) => resolve(event.detail), { once: true });
    element.addEventListener('error', (event) => reject(new Error(`${event.detail.type}: ${event.detail.message}`)), { once: true });
  });
  document.body.append(element);
  const detail = await ready;
  const trackreadyMs = performance.now() - connected;
  while ((element.stats?.masks ?? 0) === 0) {
    if (performance.now() - connected > 60000) throw new Error('no mask within 60 s of mounting <blur-camera>');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { element, detail, startup: { trackreadyMs, firstMaskMs: performance.now() - connected } };
}

async function startElement() {
  await import('../../dist/blur-camera.js');
  const cold = await mountElement();
  await cold.element.stop();
  cold.element.remove();
  const warm = await mountElement();
  return {
    output: warm.detail.track,
    tier: warm.detail.tier,
    stats: () => warm.element.stats,
    info: { startup: { cold: cold.startup, warm: warm.startup } },
    processedFrames: () => null,
  };
}

async function startLiveKit() {
  const { BackgroundBlur, supportsModernBackgroundProcessors } = await import('../../bench-results/bundle/livekit-track-processors.js');
  const { version: tasksVisionVersion } = await (await fetch('/node_modules/@livekit/track-processors/node_modules/@mediapipe/tasks-vision/package.json')).json();
  const assetPaths = {
    // LiveKit's own nested @mediapipe/tasks-vision (0.10.14), not ours.
    tasksVisionFileSet: new URL('/node_modules/@livekit/track-processors/node_modules/@mediapipe/tasks-vision/wasm', location.href).href,
    modelAssetPath: new URL('/dist/models/selfie_segmenter.tflite', location.href).href,
  };
  // LiveKit's per-frame self-report (segmentation is synchronous on this thread).
  const frameStats = [];
  let processedFrames = 0;
  const onFrameProcessed = (s) => {
    processedFrames++;
    frameStats.push(s);
    if (frameStats.length > 2000) frameStats.shift();
  };
  // BackgroundBlur(blurRadius, segmenterOptions, onFrameProcessed, processorOptions)
  // with its default blur radius (10) and default segmenter options (delegate
  // 'GPU'). It spreads processorOptions into BackgroundProcessor's options, which
  // is where assetPaths is read from (it has no positional parameter).
  const processor = BackgroundBlur(undefined, delegate ? { delegate } : undefined, onFrameProcessed, { assetPaths });
  // What LocalVideoTrack.setProcessor() does: a detached <video> is the
  // processor's `element`; after init() the camera is attached to it, muted,
  // and played (the transformer waits on its requestVideoFrameCallback for
  // the first frame).
  const element = document.createElement('video');
  await processor.init({ kind: 'video', track: camera, element });
  element.srcObject = new MediaStream([camera]);
  element.autoplay = true;
  element.muted = true;
  element.playsInline = true;
  await element.play();
  const transformer = processor.transformer;
  const gl = transformer.canvas?.getContext?.('webgl2');
  const debug = gl?.getExtension('WEBGL_debug_renderer_info');
  const summarize = (key) => {
    const values = frameStats.map((s) => s[key]).sort((a, b) => a - b);
    return values.length ? { p50: values[Math.floor(values.length / 2)], p95: values[Math.min(values.length - 1, Math.floor(0.95 * values.length))], n: values.length } : null;
  };
  return {
    output: processor.processedTrack,
    tier: null,
    // Frames LiveKit's transformer has enqueued to its generator so far.
    processedFrames: () => processedFrames,
    stats: () => ({
      // LiveKit has no stages of ours. What its onFrameProcessed reports, over
      // all frames so far, not GPU-synchronised: filterTimeMs spans the
      // (synchronous) segmentForVideo call too, and processingTimeMs is
      // segmentationTimeMs + filterTimeMs, so it counts segmentation twice.
      stages: {},
      selfReported: { segmentationTimeMs: summarize('segmentationTimeMs'), filterTimeMs: summarize('filterTimeMs'), processingTimeMs: summarize('processingTimeMs') },
    }),
    info: {
      modernApi: supportsModernBackgroundProcessors(),
      outputIsGenerator: typeof MediaStreamTrackGenerator !== 'undefined' && processor.processedTrack instanceof MediaStreamTrackGenerator,
      blurRadius: transformer.options.blurRadius,
      delegate: transformer.options.segmenterOptions?.delegate ?? 'GPU (LiveKit default)',
      tasksVisionVersion,
      assetPaths,
      webglRenderer: gl && debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : null,
    },
  };
}

const running = system === 'livekit' ? await startLiveKit() : system === 'element' ? await startElement() : await startBlurCamera();
const output = running.output;

// Arrival time of each camera frame at the page, keyed by timestamp; read from a
// clone so that this sink does not compete with the processor's.
//
// This reader runs on the main thread, so while a system blocks that thread
// (LiveKit segments on it) frames are stamped late or missed, which
// understates that system's latency. A second figure therefore maps each
// output frame's timestamp (the camera's capture clock, in µs) to page time
// with the smallest arrival − timestamp offset seen, i.e. from the frames that
// were read promptly: "capture-clock latency". Both figures are reported.
const arrivals = new Map();
let captureOffset = Infinity; // min over frames of (arrival ms − timestamp ms)
// WebKit has no track processor on the main thread: there the output is counted as a <video> presents it, and latency is not measured.
// The <video> stays out of the document, as the track of a call does: painting a 720p video costs WebKitGTK on llvmpipe
// about 0.65 of this machine's 2 cores (a pass-through with no processing: 29.5 fps unpainted, 15–20 painted), and
// Chromium's figures count frames read, not painted, too. `?paint=1` paints it, for the cost of a preview.
const mainThreadProcessor = typeof MediaStreamTrackProcessor === 'function';
const inputReader = mainThreadProcessor ? new MediaStreamTrackProcessor({ track: camera.clone() }).readable.getReader() : null;
if (inputReader) (async () => {
  for (;;) {
    const { value, done } = await inputReader.read();
    if (done) return;
    const arrived = performance.now();
    if (window_) window_.cameraFrames++;
    arrivals.set(value.timestamp, arrived);
    captureOffset = Math.min(captureOffset, arrived - value.timestamp / 1000);
    value.close();
    if (arrivals.size > 600) arrivals.delete(arrivals.keys().next().value);
  }
})();

let window_ = null;

/**
 * Where frames went in the window: the camera's own rate (the page's clone of
 * it; null where the page has no track processor), and of the frames the
 * pipeline took in, how many it dropped because a newer one came first. The
 * counters come from stats, posted every 500 ms, so the two are compared as
 * a share, from the same two posts.
 */
function frameFlow(measured, end, seconds) {
  const start = measured.statsStart;
  if (typeof start?.framesIn !== 'number' || typeof end?.framesIn !== 'number') return null;
  return {
    cameraFps: mainThreadProcessor ? measured.cameraFrames / seconds : null,
    framesIn: end.framesIn - start.framesIn,
    framesDropped: end.framesDropped - start.framesDropped,
  };
}
// WebKit has no track processor on the page. There the output is counted as the frames the processor wrote
// into it (`stats.framesOut` over the window): a <video> playing the track to count its frames, even one out of
// the document, costs WebKitGTK on llvmpipe most of a core (GStreamer uploads every frame), as much as
// the hidden camera <video> that Safari 17's features need, and on two cores that observer took the
// pipeline's own time. `?count=presented` counts what a <video> presents instead; `?paint=1` also paints it,
// for the cost of a preview.
const countPresented = !mainThreadProcessor && (params.get('count') === 'presented' || params.has('paint'));
const countWritten = !mainThreadProcessor && !countPresented;
/** How the output's frames are counted: `read` from the track, `written` to it (stats.framesOut), or `presented` by a <video>. */
const countedAs = mainThreadProcessor ? 'read' : countPresented ? 'presented' : 'written';
const counting = { read: 'read from the output track', presented: 'presented by a <video> of the output track', written: 'written to the output track (stats.framesOut)' }[countedAs];
if (countPresented) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([output]);
  if (new URLSearchParams(location.search).has('paint')) document.body.append(video);
  await video.play();
  let presented = null;
  const onFrame = (_now, metadata) => {
    // presentedFrames counts every frame the video showed, also those between two callbacks.
    if (window_ && presented !== null) window_.frames += metadata.presentedFrames - presented;
    presented = metadata.presentedFrames;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
const outputReader = mainThreadProcessor ? new MediaStreamTrackProcessor({ track: output }).readable.getReader() : null;
if (outputReader) (async () => {
  for (;;) {
    const { value, done } = await outputReader.read();
    if (done) return;
    const now = performance.now();
    if (window_) {
      window_.frames++;
      const arrived = arrivals.get(value.timestamp);
      if (arrived !== undefined) window_.latencies.push(now - arrived);
      else window_.unmatched++;
      window_.outputs.push([value.timestamp, now]);
    }
    value.close();
  }
})();

let longTaskMs = 0;
// Safari has no Long Tasks API: there a 10 ms timer measures the main thread's stalls instead, counting every gap of 50 ms or more whole.
const longTaskSource = PerformanceObserver.supportedEntryTypes?.includes('longtask') ? 'longtask' : 'timer gaps ≥ 50 ms';
if (longTaskSource === 'longtask') {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTaskMs += entry.duration;
  }).observe({ type: 'longtask', buffered: false });
} else {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last >= 50) longTaskMs += now - last;
    last = now;
  }, 10);
}

const percentile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
};

window.bench = {
  tier: running.tier,
  info: running.info,
  startWindow() {
    window_ = { started: performance.now(), framesOutStart: running.stats().framesOut ?? 0, statsStart: running.stats(), cameraFrames: 0, frames: 0, unmatched: 0, latencies: [], outputs: [], longTaskStart: longTaskMs, heapStart: performance.memory?.usedJSHeapSize ?? null, processedStart: running.processedFrames() };
  },
  /**
   * The JS heaps now: the page's and each worker's, from
   * measureUserAgentSpecificMemory() where the page is cross-origin isolated
   * (`npm run bench -- --memory`); otherwise the page's heap alone.
   */
  async memory() {
    const pageHeapBytes = performance.memory?.usedJSHeapSize ?? null;
    if (!globalThis.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') return { pageHeapBytes, totalBytes: null, byScope: null };
    const measured = await performance.measureUserAgentSpecificMemory();
    const byScope = new Map();
    for (const entry of measured.breakdown) {
      for (const attribution of entry.attribution) {
        const scope = attribution.scope === 'Window' ? 'page' : attribution.url.replace(/^.*\//, '');
        byScope.set(scope, (byScope.get(scope) ?? 0) + entry.bytes / entry.attribution.length);
      }
    }
    return { pageHeapBytes, totalBytes: measured.bytes, byScope: Object.fromEntries(byScope) };
  },
  endWindow() {
    const seconds = (performance.now() - window_.started) / 1000;
    if (countWritten) window_.frames = (running.stats().framesOut ?? 0) - window_.framesOutStart;
    const result = {
      system,
      tier: running.tier,
      seconds,
      fps: window_.frames / seconds,
      frames: window_.frames,
      counting,
      countedAs,
      // LiveKit only: frames its transformer produced in the window (vs the
      // frames that reached the output track's reader, `frames`).
      processedFrames: window_.processedStart === null ? null : running.processedFrames() - window_.processedStart,
      unmatchedFrames: window_.unmatched,
      latencyP50: percentile(window_.latencies, 0.5),
      latencyP95: percentile(window_.latencies, 0.95),
      ...(() => {
        const fromCapture = window_.outputs.map(([timestamp, out]) => out - (timestamp / 1000 + captureOffset));
        // Canvas capture (tiers 3 and 4) stamps its own clock on output frames: no camera timestamp to measure from.
        if (fromCapture.some((ms) => ms < 0 || ms > 60_000)) return { captureLatencyP50: null, captureLatencyP95: null };
        return { captureLatencyP50: percentile(fromCapture, 0.5), captureLatencyP95: percentile(fromCapture, 0.95) };
      })(),
      longTaskMs: longTaskMs - window_.longTaskStart,
      longTaskSource,
      heapDeltaBytes: performance.memory ? performance.memory.usedJSHeapSize - window_.heapStart : null,
      stats: running.stats(),
      flow: frameFlow(window_, running.stats(), seconds),
      info: running.info,
      offOriginRequests: [...offOriginRequests],
    };
    window_ = null;
    return result;
  },
};
document.title = 'ready';
