// The soak test's page side (driven by scripts/soak.mjs): runs BlurProcessor
// on the 1280×720 fake camera, reads and closes every output frame, and hands
// the Node side samples of processor.stats, the page's frame count and the
// page's JS heap (after gc(); Chromium runs with --expose-gc and
// --enable-precise-memory-info). Worker heaps, process memory and the console
// are read by the Node side.
//
// ?maxTier=N (default 1) &renderer=auto|gpu (default auto).

const params = new URLSearchParams(location.search);
const maxTier = Number(params.get('maxTier') ?? 1);
const renderer = params.get('renderer') ?? 'auto';

const gc = () => globalThis.gc?.();
let camera = null;
let processor = null;
let outputReader = null;
let controlWorker = null;
let pageFrames = 0;
let outputSize = null;
let readerError = null;
const events = [];
const started = performance.now();
const now = () => Math.round(performance.now() - started);

const plain = (value) => JSON.parse(JSON.stringify(value ?? null));

window.soak = {
  /** Leaks one VideoFrame here and one in a worker, for the leak-watch control. */
  startControl() {
    const canvas = new OffscreenCanvas(16, 16);
    canvas.getContext('2d').fillRect(0, 0, 16, 16);
    new VideoFrame(canvas, { timestamp: 1 });
    controlWorker = new Worker(new URL('./leak-control-worker.js', import.meta.url), { name: 'soak-leak-control' });
    return true;
  },
  endControl() {
    controlWorker?.terminate();
    controlWorker = null;
    gc();
    return true;
  },
  gc() {
    gc();
    return true;
  },
  async start() {
    camera = (await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } })).getVideoTracks()[0];
    const { BlurProcessor } = await import('../../dist/blur-camera.js');
    processor = new BlurProcessor(camera, { sigma: 8, maxTier, renderer });
    processor.addEventListener('tierchange', (event) => events.push({ t: now(), type: 'tierchange', detail: plain(event.detail) }));
    processor.addEventListener('error', (event) => events.push({ t: now(), type: 'error', detail: plain({ ...event.detail, error: String(event.detail?.error ?? '') }) }));
    const output = await processor.start();
    outputReader = new MediaStreamTrackProcessor({ track: output }).readable.getReader();
    (async () => {
      try {
        for (;;) {
          const { value, done } = await outputReader.read();
          if (done) return;
          pageFrames++;
          outputSize ??= { codedWidth: value.codedWidth, codedHeight: value.codedHeight, displayWidth: value.displayWidth, displayHeight: value.displayHeight };
          value.close();
        }
      } catch (error) {
        readerError = String(error);
      }
    })();
    return { tier: processor.tier, cameraSettings: plain(camera.getSettings()) };
  },
  /** Page-side sample; collects garbage first so that the heap figure is live objects. */
  sample() {
    gc();
    return {
      pageMs: now(),
      tier: processor?.tier ?? null,
      stats: plain(processor?.stats),
      pageFramesOut: pageFrames,
      outputSize,
      readerError,
      outputTrackState: processor?.track?.readyState ?? null,
      // What the camera produced (Chromium's MediaStreamTrack.stats, where present).
      camera: camera?.stats ? { totalFrames: camera.stats.totalFrames, deliveredFrames: camera.stats.deliveredFrames, discardedFrames: camera.stats.discardedFrames } : null,
      heapUsed: performance.memory?.usedJSHeapSize ?? null,
      heapTotal: performance.memory?.totalJSHeapSize ?? null,
      eventCount: events.length,
    };
  },
  events: () => events,
  frames: () => pageFrames,
  async stop() {
    await outputReader?.cancel().catch(() => undefined);
    await processor?.stop();
    camera?.stop();
    gc();
    return true;
  },
};
document.title = 'ready';
