import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { BlurCamera, BlurErrorDetail } from '../../dist/blur-camera.js';
import { readTrack } from '../helpers/frames.js';
import { nextEvent } from '../helpers/resource-spy.js';
import { distinctUrls, type RecordedRequest } from '../helpers/privacy.js';

/**
 * Issue: "No request leaves the page's origin. Intercept requests in the test
 * browser. During a 2-minute run, including start-up, nothing is requested
 * outside the origin that served the module, MediaPipe's telemetry included."
 *
 * The request recorder (web-test-runner.config.mjs) watches from the
 * browser's side, over the DevTools protocol, the page, its frames and every
 * worker it starts: each request, WebSocket and WebTransport. This file
 * imports nothing from dist/ up front, so the module's own load is recorded
 * too. The fake camera plays ../shared/media/clips/keyed-person-720p.mjpeg.
 */
const MODULE_URL = new URL('../../dist/blur-camera.js', import.meta.url);

/**
 * MediaPipe for 2 minutes: its 1.x releases send usage logs every 60 s. LiteRT
 * for 1 minute: it has no timers of its own, and the run covers its start.
 */
interface PrivacyRun {
  readonly segmenter: 'mediapipe' | 'litert';
  readonly ms: number;
}
const RUNS: readonly PrivacyRun[] = [
  { segmenter: 'mediapipe', ms: 120000 },
  { segmenter: 'litert', ms: 60000 },
];

async function recordedRun(run: PrivacyRun): Promise<void> {
  const origin = MODULE_URL.origin;
  expect(origin).to.equal(location.origin);
  await executeServerCommand('request-recorder-start');
  const started = performance.now();
  let requests: RecordedRequest[] = [];
  let frames = 0;
  let element: BlurCamera | null = null;
  const errors: BlurErrorDetail[] = [];
  try {
    await import(/* the module, loaded while recording */ '../../dist/blur-camera.js');
    element = document.createElement('blur-camera') as BlurCamera;
    element.segmenter = run.segmenter;
    element.addEventListener('error', (event) => errors.push((event as CustomEvent<BlurErrorDetail>).detail));
    const ready = nextEvent(element, 'trackready', 90000);
    document.body.append(element);
    await ready;
    expect(element.tier).to.equal(1);
    const reader = readTrack(element.stream!.getVideoTracks()[0]!);
    // Read (and close) every output frame until the run's time has passed since recording began.
    await reader.until(() => {
      frames++;
      return performance.now() - started >= run.ms;
    }, Number.MAX_SAFE_INTEGER);
    await reader.cancel();
    expect(element.state, JSON.stringify(errors)).to.equal('running');
    expect(element.stats!.masks, 'the segmenter ran throughout').to.be.at.least(run.ms / 2000);
    expect(element.stats!.segmenter).to.equal(run.segmenter);
  } finally {
    await element?.stop();
    element?.remove();
    // Anything sent on the way out (a beacon, a last log) is counted too.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    requests = (await executeServerCommand<RecordedRequest[], undefined>('request-recorder-stop')) ?? [];
  }
  const seconds = (performance.now() - started) / 1000;
  const urls = distinctUrls(requests);
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(`${r.target} ${r.kind} ${r.type} ${r.url}`, (counts.get(`${r.target} ${r.kind} ${r.type} ${r.url}`) ?? 0) + 1);
  console.log(`${requests.length} requests (${urls.length} distinct URLs) in ${seconds.toFixed(0)} s, ${frames} frames out:\n  ${[...counts].map(([what, n]) => `${n}× ${what}`).join('\n  ')}`);
  expect(errors).to.deep.equal([]);
  expect(frames, 'output frames over the run (≥ 1 per second)').to.be.at.least(run.ms / 1000);

  // Nothing outside the origin: no other scheme either (no data:, blob:, ws: to elsewhere…).
  const outside = requests.filter((request) => {
    const url = new URL(request.url);
    return url.origin !== origin && !(request.kind === 'websocket' && url.host === new URL(origin).host && url.protocol === 'ws:');
  });
  expect(outside, 'requests outside the origin').to.deep.equal([]);

  // The recorder sees the module, the worker, and the worker's own fetches (wasm, model).
  const seen = (path: string, target: string): boolean => requests.some((r) => new URL(r.url).pathname === path && r.target === target);
  // A page imports the module once: the first run's recording has it.
  if (run === RUNS[0]) expect(seen('/dist/blur-camera.js', 'page'), 'the module').to.equal(true);
  expect(seen('/dist/blur-worker.js', 'page'), 'the worker script').to.equal(true);
  const runtime = run.segmenter === 'mediapipe' ? 'vision_wasm_module_internal' : 'litert_wasm_compat_internal';
  expect(seen(`/dist/wasm/${runtime}.js`, 'worker'), 'the wasm loader, from the worker').to.equal(true);
  expect(seen(`/dist/wasm/${runtime}.wasm`, 'worker'), 'the wasm, from the worker').to.equal(true);
  expect(seen('/dist/models/selfie_segmenter.tflite', 'worker'), 'the model, from the worker').to.equal(true);
}

describe('privacy: no request leaves the page\'s origin', () => {
  for (const run of RUNS) {
    it(`${run.segmenter}: requests only from the origin that served the module during a ${run.ms / 1000} s run, start-up included`, async function () {
      this.timeout(run.ms + 120000);
      await recordedRun(run);
    });
  }

  it('control: the recorder sees a request to another origin from the page and from a worker', async () => {
    await executeServerCommand('request-recorder-start');
    let requests: RecordedRequest[] = [];
    try {
      await fetch('http://127.0.0.1:9/from-page', { mode: 'no-cors' }).catch(() => undefined);
      const worker = new Worker(new URL(`../fixtures/egress-control-worker.js?target=${encodeURIComponent('http://127.0.0.1:9/from-worker')}`, import.meta.url), { type: 'module' });
      await new Promise((resolve) => worker.addEventListener('message', resolve, { once: true }));
      worker.terminate();
    } finally {
      requests = (await executeServerCommand<RecordedRequest[], undefined>('request-recorder-stop')) ?? [];
    }
    const outside = requests.filter((request) => new URL(request.url).origin !== location.origin).map((r) => `${r.target} ${r.url}`);
    expect(outside, JSON.stringify(requests)).to.deep.equal(['page http://127.0.0.1:9/from-page', 'worker http://127.0.0.1:9/from-worker']);
  });
});
