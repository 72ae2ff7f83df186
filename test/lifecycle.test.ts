import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import { BlurProcessor } from '../dist/blur-camera.js';
import type { BlurCamera, BlurErrorDetail } from '../dist/blur-camera.js';
import { removeBlurCameras, useResourceSpy, waitFor } from './helpers/resource-spy.js';
import { greyShare, runStill, type StillRun } from './helpers/settled.js';
import { lifecycleSpecs } from './specs/lifecycle-specs.js';

lifecycleSpecs('Chromium');

/** Share of pixels whose red, green and blue agree within 2: the mask view is grey, a photo is not. */
describe('lifecycle faults, in Chromium (issue 14, items 3, 7–10 and 12)', () => {
  let run: StillRun | null = null;
  const spy = useResourceSpy(async () => {
    await run?.stop();
    run = null;
    await removeBlurCameras();
  });

  it('an option set while the worker is still starting is in effect once it runs', async () => {
    run = await runStill('/media/stills/portrait.jpg', { sigma: 8, testHooks: { delayBackendMs: 1500 } }, (processor) => {
      // Lands while the worker proves its backend (held back 1.5 s); before the fix the worker dropped it.
      setTimeout(() => {
        processor.view = 'mask';
      }, 500);
    });
    for (let i = 0; i < 5; i++) {
      const share = greyShare(await run.reader.next());
      expect(share, `frame ${i}: grey share (mask view)`).to.be.above(0.99);
    }
  });

  it('a model changed while the backend proves its blur: the new model is the one that runs', async () => {
    // The change lands while the worker proves its backend (held back 1.5 s), before any segmenter has started.
    run = await runStill('/media/stills/portrait.jpg', { sigma: 8, model: 'general', testHooks: { delayBackendMs: 1500 } }, (processor) => {
      setTimeout(() => {
        processor.model = 'landscape';
      }, 500);
    });
    await waitFor(() => run!.processor.stats.masks > 0, 'a mask');
    const { adaptation, segmenterWorkers } = run.processor.stats;
    expect(adaptation.model, 'the model that makes the masks').to.equal('landscape');
    expect(segmenterWorkers, 'segmenter workers alive').to.equal(1);
  });

  it('stop() before start(), then start() and stop(): no worker survives', async () => {
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    const input = camera.getVideoTracks()[0]!;
    try {
      const processor = new BlurProcessor(input);
      await processor.stop();
      const output = await processor.start();
      expect(output.readyState).to.equal('live');
      // The segmenter's own worker runs inside the blur worker; only the stats can see it.
      await waitFor(() => processor.stats.segmenterWorkers === 1, 'the segmenter worker running');
      await processor.stop();
      expect(output.readyState).to.equal('ended');
      expect(processor.stats.segmenterWorkers, 'segmenter workers left at stop').to.equal(0);
      await waitFor(() => spy().liveWorkers() === 0, 'every worker terminated');
    } finally {
      input.stop();
    }
  });

  it('stop() during canvas capture\'s set-up (tier 3) leaves no capture track or <video> behind', async () => {
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    const input = camera.getVideoTracks()[0]!;
    const captured: MediaStreamTrack[] = [];
    const videos: HTMLVideoElement[] = [];
    const captureStream = HTMLCanvasElement.prototype.captureStream;
    const play = HTMLMediaElement.prototype.play;
    const processor = new BlurProcessor(input, { maxTier: 3 });
    HTMLCanvasElement.prototype.captureStream = function (this: HTMLCanvasElement, frameRate?: number): MediaStream {
      const stream = captureStream.call(this, frameRate);
      captured.push(...stream.getTracks());
      return stream;
    };
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement): Promise<void> {
      // The transport's hidden <video> starts playing the camera: stop the processor right then.
      if (this instanceof HTMLVideoElement && this.srcObject instanceof MediaStream && this.srcObject.getTracks().includes(input)) {
        videos.push(this);
        void processor.stop();
      }
      return play.call(this);
    };
    try {
      const error = await processor.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, 'start() rejects when stopped during set-up').to.be.instanceOf(DOMException);
      expect(videos, 'the transport\'s <video> was reached').to.have.length(1);
      await waitFor(() => captured.every((track) => track.readyState === 'ended'), 'every capture track ended');
      expect(videos[0]!.srcObject).to.equal(null);
      await waitFor(() => spy().liveWorkers() === 0, 'every worker terminated');
    } finally {
      HTMLCanvasElement.prototype.captureStream = captureStream;
      HTMLMediaElement.prototype.play = play;
      input.stop();
    }
  });

  for (const tier of [2, 4] as const) {
    it(`tier ${tier}: the probe's WebGPU device is released once the tier runs without it`, async () => {
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, maxTier: tier });
      expect(run.processor.tier).to.equal(tier);
      await run.settled();
      await waitFor(() => run!.processor.stats.framesOut > 0 && run!.processor.stats.compositor !== null, 'stats from the running pipeline');
      expect(run.processor.stats.gpuDevices, 'WebGPU devices the worker holds').to.equal(0);
    });
  }

  for (const tier of [1, 3] as const) {
    it(`tier ${tier}: a camera track that never sends a picture gives camera-ended within seconds, and releases everything`, async () => {
      // A live track with no frames: a camera that opened but shows nothing.
      const silent = new MediaStreamTrackGenerator({ kind: 'video' });
      const processor = new BlurProcessor(silent, { maxTier: tier });
      const errors: BlurErrorDetail[] = [];
      processor.addEventListener('error', (event) => errors.push(event.detail));
      try {
        const error = await processor.start().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, 'start() rejects').to.be.instanceOf(Error);
        expect(errors.map((e) => e.type)).to.deep.equal(['camera-ended']);
        expect(errors[0]!.message).to.contain('sent no picture');
        await waitFor(() => spy().liveWorkers() === 0 && spy().liveTracks().length === 0, 'every worker and capture track released');
      } finally {
        silent.stop();
      }
    });
  }

  it('a disabled camera track that sends no picture: camera-ended says the track is disabled', async () => {
    const silent = new MediaStreamTrackGenerator({ kind: 'video' });
    silent.enabled = false;
    const processor = new BlurProcessor(silent, { maxTier: 1 });
    const errors: BlurErrorDetail[] = [];
    processor.addEventListener('error', (event) => errors.push(event.detail));
    try {
      await processor.start().then(
        () => expect.fail('start() resolved without a picture'),
        () => undefined,
      );
      expect(errors.map((e) => e.type)).to.deep.equal(['camera-ended']);
      expect(errors[0]!.message).to.contain('sent no picture in 10 s (its track is disabled)');
    } finally {
      silent.stop();
    }
  });

  for (const [name, url] of [
    ['another origin', 'http://127.0.0.1:8000/dist/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/javascript,0'],
  ] as const) {
    it(`assets-url on ${name}: error invalid-config, no worker, no request`, async () => {
      const before = performance.getEntriesByType('resource').length;
      const element = await fixture<BlurCamera>(html`<blur-camera autostart="false" assets-url=${url}></blur-camera>`);
      const errors: BlurErrorDetail[] = [];
      element.addEventListener('error', (event) => errors.push(event.detail));
      await element.start();
      expect(errors.map((e) => e.type)).to.deep.equal(['invalid-config']);
      expect(errors[0]!.message).to.match(/assets-url/);
      expect(element.state).to.equal('error');
      expect(spy().workers).to.have.length(0);
      expect(spy().liveTracks()).to.deep.equal([]);
      const requested = performance.getEntriesByType('resource').slice(before).map((entry) => entry.name);
      expect(requested.filter((name) => !name.startsWith(location.origin))).to.deep.equal([]);
    });
  }
});
