import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import { BlurError, BlurProcessor, type BlurCamera, type BlurErrorDetail } from '../dist/blur-camera.js';
import { deepRegion, laplacianVariance, loadGroundTruth } from './helpers/image-metrics.js';
import { nextEvent, removeBlurCameras, spyOnResources, useResourceSpy, waitFor, type ResourceSpy } from './helpers/resource-spy.js';
import { runStill, type StillRun } from './helpers/settled.js';
import { loadBitmap, readTrack, trackFromStill, type Pixels } from './helpers/frames.js';
import { executeServerCommand } from '@web/test-runner-commands';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

describe('faults: asset failures fail closed and say which URL', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  for (const kind of ['missing', 'garbage', 'truncated'] as const) {
    it(`a ${kind} model gives error "model-load" naming the URL, and the output stays fully blurred`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      const person = deepRegion(truth, 1);
      const errors: BlurErrorDetail[] = [];
      run = await runStill(PORTRAIT, { sigma: 8, assetsUrl: `/broken-assets/${kind}/` }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
      });
      const inPerson = laplacianVariance(run.input, person);
      const started = performance.now();
      while (errors.length === 0 && performance.now() - started < 30000) {
        const frame = await run.reader.next();
        expect(laplacianVariance(frame, person) * 5, 'a frame before the error').to.be.below(inPerson);
      }
      expect(errors).to.have.length(1);
      expect(errors[0]!.type).to.equal('model-load');
      expect(errors[0]!.message).to.contain(`/broken-assets/${kind}/models/selfie_segmenter.tflite`);
      // Afterwards too: never the raw room, never a sharp person without a mask.
      for (let i = 0; i < 5; i++) {
        const frame = await run.reader.next();
        expect(laplacianVariance(frame, person) * 5, `frame ${i} after the error`).to.be.below(inPerson);
      }
      expect(run.processor.stats.masks).to.equal(0);
    });
  }
});

/** Runs `body` with console.warn captured; returns what was warned. */
async function captureWarnings(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
  try {
    await body();
  } finally {
    console.warn = original;
  }
  return warnings;
}

describe('faults: bad attributes are clamped or ignored with one warning, never thrown', () => {
  const cases: { attribute: string; value: string; property: keyof BlurCamera; expected: unknown }[] = [
    { attribute: 'sigma', value: 'abc', property: 'sigma', expected: 8 },
    { attribute: 'sigma', value: 'NaN', property: 'sigma', expected: 8 },
    { attribute: 'sigma', value: '-5', property: 'sigma', expected: 2 },
    { attribute: 'sigma', value: '1e9', property: 'sigma', expected: 32 },
  ];
  for (const { attribute, value, property, expected } of cases) {
    it(`${attribute}="${value}" becomes ${String(expected)}`, async () => {
      let element: BlurCamera | null = null;
      const warnings = await captureWarnings(async () => {
        element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
        element.setAttribute(attribute, value);
        await element.updateComplete;
        await element.updateComplete;
      });
      expect(element![property]).to.equal(expected);
      expect(warnings.filter((w) => w.includes(attribute))).to.have.length(1);
    });
  }

  for (const [attribute, value] of [['model', 'huge'], ['view', 'x-ray'], ['max-tier', '9'], ['width', '-1'], ['frame-rate', 'fast']] as const) {
    it(`${attribute}="${value}" starts anyway, with one warning naming it`, async () => {
      let element: BlurCamera | null = null;
      const warnings = await captureWarnings(async () => {
        element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
        element.setAttribute(attribute, value);
        const ready = nextEvent(element, 'trackready');
        await element.start();
        await ready;
      });
      expect(element!.state).to.equal('running');
      expect(warnings.filter((w) => w.includes(`${attribute}=`))).to.have.length(1);
      await element!.stop();
    });
  }
});

describe('faults: the camera', () => {
  const spy = useResourceSpy(removeBlurCameras);

  it('an unknown device-id gives error "no-camera" with advice, a real getUserMedia failure', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera device-id="no-such-camera"></blur-camera>`);
    const error = (await nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error')).detail;
    expect(error.type).to.equal('no-camera');
    expect(error.message).to.contain('no-such-camera');
    expect(error.message).to.contain('enumerateDevices');
    expect(element.state).to.equal('error');
    expect(element.stream).to.equal(null);
    expect(spy().liveWorkers()).to.equal(0);
  });

  for (const tier of [1, 3] as const) it(`tier ${tier}: a camera track stopped at its source gives error "camera-ended", and start() tries again`, async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera max-tier=${tier}></blur-camera>`);
    await nextEvent(element, 'trackready');
    const errored = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
    spy().cameraTracks[0]!.stop();
    expect((await errored).detail.type).to.equal('camera-ended');
    await waitFor(() => element.state === 'error' && spy().liveWorkers() === 0, 'the pipeline to stop');
    const ready = nextEvent(element, 'trackready');
    await element.start();
    await ready;
    expect(element.state).to.equal('running');
    expect(element.tier).to.equal(tier);
  });

  it('a camera in use elsewhere (NotReadableError) gives error "camera-busy" with advice, and start() tries again', async () => {
    // Chromium's fake camera cannot be made busy, so this one rejection is stubbed.
    const mediaDevices = navigator.mediaDevices;
    const real = mediaDevices.getUserMedia;
    mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Could not start video source', 'NotReadableError'));
    const element = document.createElement('blur-camera');
    try {
      // Listen before it connects: a stubbed rejection comes at once.
      const errored = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
      document.body.append(element);
      const error = (await errored).detail;
      await element.updateComplete;
      expect(error.type).to.equal('camera-busy');
      expect(error.message).to.contain('in use by another application');
      expect(element.state).to.equal('error');
      expect(element.shadowRoot!.textContent).to.contain('in use');
    } finally {
      mediaDevices.getUserMedia = real;
    }
    const ready = nextEvent(element, 'trackready');
    await element.start();
    await ready;
    expect(element.state).to.equal('running');
  });
});

describe('faults: a slow first frame', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  it('a worker that reads the camera but takes 13 s to its first output: start() waits with one warning, not "camera-ended"', async () => {
    const warnings = await captureWarnings(async () => {
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, testHooks: { delayFirstOutputMs: 13000 } });
    });
    expect(run!.processor.track!.readyState).to.equal('live');
    expect(run!.processor.stats.framesIn).to.be.above(0);
    await run!.reader.next();
    expect(warnings.filter((w) => w.includes('first processed frame is taking over 10 s'))).to.have.length(1);
  });

  it('tier 3: a worker that asks for no frame for 13 s while the camera has its picture: start() waits with one warning, not "camera-ended"', async () => {
    const errors: BlurErrorDetail[] = [];
    const warnings = await captureWarnings(async () => {
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, maxTier: 3, testHooks: { delayFirstFrameRequestMs: 13000 } }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
      });
    });
    expect(run!.processor.tier).to.equal(3);
    expect(run!.processor.track!.readyState).to.equal('live');
    await run!.reader.next();
    expect(errors).to.deep.equal([]);
    expect(warnings.filter((w) => w.includes('first processed frame is taking over 10 s'))).to.have.length(1);
  });
});

describe('faults: a worker stuck before its first frame', () => {
  let run: StillRun | null = null;
  let spy: ResourceSpy | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
    spy?.restore();
    spy = null;
  });

  it('tier 3: a worker that asks for no frame in 30 s while the camera has its picture is replaced once, said as a recovered "worker-crashed", and its replacement runs', async function () {
    // 30 s of waiting for the first worker, then a new worker's start and first frame.
    this.timeout(115000);
    spy = spyOnResources();
    const errors: BlurErrorDetail[] = [];
    const warnings = await captureWarnings(async () => {
      // The hook holds back the first worker's first request past both first-frame deadlines; its replacement gets no hook.
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, maxTier: 3, testHooks: { delayFirstFrameRequestMs: 120000 } }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
      });
    });
    expect(run!.processor.tier).to.equal(3);
    expect(run!.processor.track!.readyState).to.equal('live');
    await run!.reader.next();
    expect(errors.map((e) => [e.type, e.recovered])).to.deep.equal([['worker-crashed', true]]);
    expect(errors[0]!.message).to.contain('made no frame in 30 s').and.contain('asked for 0 frames').and.contain('restarted it');
    expect(warnings.filter((w) => w.includes('restarted it'))).to.have.length(1);
    // The stuck worker is terminated; its replacement is the one that runs.
    expect(spy.workers).to.have.length(2);
    expect(spy.workers[0]!.terminated).to.equal(true);
    expect(spy.liveWorkers()).to.equal(1);
  });
});

describe('faults: a worker that never answers', () => {
  it('a worker whose renderer has not started by the deadline: start() rejects with "worker-crashed", says so once, and the worker is terminated', async () => {
    const spy = spyOnResources();
    const bitmap = await loadBitmap(PORTRAIT);
    const still = trackFromStill(bitmap);
    // The worker holds its backend back 8 s; the deadline (60 s in the product) is cut to 3 s.
    const processor = new BlurProcessor(still.track, { sigma: 8, testHooks: { delayBackendMs: 8000, workerAnswerDeadlineMs: 3000 } });
    const errors: BlurErrorDetail[] = [];
    processor.addEventListener('error', (event) => errors.push(event.detail));
    try {
      const failure = await processor.start().then(() => null, (error: unknown) => error);
      expect(failure).to.be.instanceOf(BlurError);
      expect((failure as BlurError).type).to.equal('worker-crashed');
      expect(errors.map((e) => e.type)).to.deep.equal(['worker-crashed']);
      expect(errors[0]!.message).to.contain('did not start its renderer in 3 s');
      expect(processor.track).to.equal(null);
      expect(spy.workers).to.have.length(1);
      expect(spy.liveWorkers()).to.equal(0);
      // The track is the page's: a failed start leaves it running.
      expect(still.track.readyState).to.equal('live');
      // The silent worker's late answer, had it come, finds no one: nothing more is reported.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(errors).to.have.length(1);
    } finally {
      await processor.stop();
      still.stop();
      bitmap.close();
      spy.restore();
    }
  });
});

describe('faults: lifecycle under churn', () => {
  const spy = useResourceSpy();

  it('two elements on one page run independently', async () => {
    const container = await fixture<HTMLDivElement>(html`<div><blur-camera sigma="4"></blur-camera><blur-camera sigma="16"></blur-camera></div>`);
    const [first, second] = [...container.querySelectorAll('blur-camera')] as [BlurCamera, BlurCamera];
    await Promise.all([nextEvent(first, 'trackready'), nextEvent(second, 'trackready')]);
    expect(first.stream).to.not.equal(second.stream);
    await first.stop();
    expect(second.state).to.equal('running');
    expect(second.stream!.getVideoTracks()[0]!.readyState).to.equal('live');
    expect(spy().liveTracks()).to.have.length(1);
    await second.stop();
    expect(spy().liveTracks()).to.have.length(0);
    expect(spy().liveWorkers()).to.equal(0);
  });

  it('added and removed 50 times without waiting, leaves no track or worker alive', async function () {
    this.timeout(300000);
    for (let i = 0; i < 50; i++) {
      const element = document.createElement('blur-camera');
      document.body.append(element);
      await new Promise((resolve) => setTimeout(resolve, i % 5 === 0 ? 50 : 0));
      element.remove();
    }
    await waitFor(() => spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'every track and worker released', 60000);
  });

  it('added and removed 50 times after trackready each time, leaves no track or worker alive', async function () {
    this.timeout(900000);
    for (let i = 0; i < 50; i++) {
      const element = document.createElement('blur-camera');
      const ready = nextEvent(element, 'trackready', 120000);
      document.body.append(element);
      await ready;
      element.remove();
    }
    await waitFor(() => spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'every track and worker released', 60000);
    expect(spy().workers.length).to.equal(50);
  });
});

describe('faults: a worker that dies', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  /** Reads and checks every output frame until `done` holds: the true background is never sharp. */
  async function everyFrameBlurredUntil(done: () => boolean, inBackground: number, background: ReturnType<typeof deepRegion>, what: string): Promise<number> {
    let frames = 0;
    while (!done()) {
      const frame = await run!.reader.next();
      expect(laplacianVariance(frame, background) * 5, `${what}, frame ${frames}`).to.be.below(inBackground);
      frames++;
    }
    return frames;
  }

  for (const tier of [1, 3] as const) {
    it(`tier ${tier}: is replaced on the same output track, then by the CPU path, then the output ends; no frame is ever sharp`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      const background = deepRegion(truth, 0);
      const errors: BlurErrorDetail[] = [];
      const tiers: number[] = [];
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer: 'gpu' }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
        processor.addEventListener('tierchange', (event) => tiers.push(event.detail.tier));
      });
      const output = run.processor.track!;
      await run.settled();
      const inBackground = laplacianVariance(run.input, background);
      const processor = run.processor;

      // First death: the same worker setup comes back, on the same track.
      processor.terminateWorkerForTest();
      await everyFrameBlurredUntil(() => errors.length >= 1 && processor.stats.masks >= 3, inBackground, background, 'around the first death');
      expect(errors[0]!.type).to.equal('worker-crashed');
      expect(errors[0]!.message).to.contain('restarted');
      expect(processor.track).to.equal(output);
      expect(output.readyState).to.equal('live');
      expect(processor.tier).to.equal(tier);
      await everyFrameBlurredUntil(() => true, inBackground, background, 'after the first restart');

      if (tier === 3) return;
      // Second death: the CPU path (tier 4) on the same track.
      processor.terminateWorkerForTest();
      await everyFrameBlurredUntil(() => errors.length >= 2 && processor.tier === 4 && processor.stats.compositor === 'cpu' && processor.stats.masks >= 3, inBackground, background, 'around the second death');
      expect(tiers[tiers.length - 1]).to.equal(4);
      expect(processor.track).to.equal(output);

      // Third death: the output ends, with a fatal error, rather than risk a raw frame.
      processor.terminateWorkerForTest();
      await waitFor(() => output.readyState === 'ended', 'the output to end', 20000);
      expect(errors).to.have.length(3);
      expect(errors[2]!.message).to.contain('call start() to try again');
    });
  }
});

/** The top-left 96×96 of the fake camera's clip: always the room (a real indoor photo), never the person. */
function cornerDetail(pixels: Pixels): number {
  const region = new Uint8Array(pixels.width * pixels.height);
  for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) region[y * pixels.width + x] = 1;
  return laplacianVariance(pixels, region);
}

/** The camera's own corner detail, read the way the output is read. */
async function cameraCornerDetail(): Promise<number> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } });
  const reader = readTrack(stream.getVideoTracks()[0]!);
  try {
    return cornerDetail(await reader.next());
  } finally {
    await reader.cancel();
    for (const track of stream.getTracks()) track.stop();
  }
}

describe('faults: a hidden tab', () => {
  afterEach(async () => {
    await executeServerCommand('page-show');
    await removeBlurCameras();
  });

  for (const tier of [1, 3] as const) {
    it(`tier ${tier}: keeps delivering blurred frames to a call while hidden, and does not stall when visible again`, async () => {
      const camera = await cameraCornerDetail();
      const element = await fixture<BlurCamera>(html`<blur-camera max-tier=${tier}></blur-camera>`);
      await nextEvent(element, 'trackready');
      expect(element.tier).to.equal(tier);
      // The call's side: what an RTCPeerConnection's sender would read from .stream.
      const reader = readTrack(element.stream!.getVideoTracks()[0]!);
      await reader.next();
      await executeServerCommand('page-hide');
      await waitFor(() => document.visibilityState === 'hidden', 'the tab to be hidden');
      const hiddenStarted = performance.now();
      for (let i = 0; i < 20; i++) {
        const frame = await reader.next();
        expect(cornerDetail(frame) * 5, `hidden frame ${i}: the room soft (camera corner detail ${camera.toFixed(1)})`).to.be.below(camera);
      }
      const hiddenFps = 20 / ((performance.now() - hiddenStarted) / 1000);
      expect(document.visibilityState).to.equal('hidden');
      await executeServerCommand('page-show');
      await waitFor(() => document.visibilityState === 'visible', 'the tab to be visible');
      for (let i = 0; i < 20; i++) await reader.next();
      console.log(`tier ${tier}: ${hiddenFps.toFixed(1)} fps while hidden`);
      expect(element.state).to.equal('running');
      await reader.cancel();
    });
  }
});
