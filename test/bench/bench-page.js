// The benchmark's page side: runs one system on the fake camera and measures
// what the page can see (delivered frames, latency by timestamp, long tasks,
// JS heap, per-stage milliseconds). CPU and process memory are read by the
// Node side from /proc.
import { BlurProcessor } from '../../dist/blur-camera.js';

const params = new URLSearchParams(location.search);
const profile = params.get('profile') === '1';
const maxTier = Number(params.get('maxTier') ?? 1);

const camera = (await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } })).getVideoTracks()[0];
const processor = new BlurProcessor(camera, { sigma: 8, maxTier, profile });
const output = await processor.start();

// Arrival time of each camera frame at the page, keyed by timestamp; read from a
// clone so that this sink does not compete with the processor's.
const arrivals = new Map();
const inputReader = new MediaStreamTrackProcessor({ track: camera.clone() }).readable.getReader();
(async () => {
  for (;;) {
    const { value, done } = await inputReader.read();
    if (done) return;
    arrivals.set(value.timestamp, performance.now());
    value.close();
    if (arrivals.size > 600) arrivals.delete(arrivals.keys().next().value);
  }
})();

let window_ = null;
const outputReader = new MediaStreamTrackProcessor({ track: output }).readable.getReader();
(async () => {
  for (;;) {
    const { value, done } = await outputReader.read();
    if (done) return;
    const now = performance.now();
    if (window_) {
      window_.frames++;
      const arrived = arrivals.get(value.timestamp);
      if (arrived !== undefined) window_.latencies.push(now - arrived);
    }
    value.close();
  }
})();

let longTaskMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTaskMs += entry.duration;
}).observe({ type: 'longtask', buffered: false });

const percentile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
};

window.bench = {
  tier: processor.tier,
  startWindow() {
    window_ = { started: performance.now(), frames: 0, latencies: [], longTaskStart: longTaskMs, heapStart: performance.memory?.usedJSHeapSize ?? null };
  },
  endWindow() {
    const seconds = (performance.now() - window_.started) / 1000;
    const result = {
      tier: processor.tier,
      seconds,
      fps: window_.frames / seconds,
      frames: window_.frames,
      latencyP50: percentile(window_.latencies, 0.5),
      latencyP95: percentile(window_.latencies, 0.95),
      longTaskMs: longTaskMs - window_.longTaskStart,
      heapDeltaBytes: performance.memory ? performance.memory.usedJSHeapSize - window_.heapStart : null,
      stats: processor.stats,
    };
    window_ = null;
    return result;
  },
};
document.title = 'ready';
