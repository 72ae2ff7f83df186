import { expect, fixture, html } from '@open-wc/testing';
import '../../../dist/blur-camera.js';
import { BlurProcessor, type BlurCamera, type BlurErrorDetail, type TierChangeDetail } from '../../../dist/blur-camera.js';
import { nextEvent, removeBlurCameras, useResourceSpy, waitFor } from '../../helpers/resource-spy.js';

/**
 * A WebKit without WebGL in workers, where the page insists on MediaPipe,
 * which needs it: the honest answer is tier 5. (With the default
 * `segmenter="auto"`, LiteRT segments instead: element.test.ts.)
 */
describe('WebKit without WebGL in workers, segmenter="mediapipe"', () => {
  const spy = useResourceSpy(async () => {
    await removeBlurCameras();
  });

  it('<blur-camera> says unsupported, with every refused tier and why, and releases the camera', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera segmenter="mediapipe"></blur-camera>`);
    const change = nextEvent<CustomEvent<TierChangeDetail>>(element, 'tierchange');
    const error = (await nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error')).detail;
    const tier = (await change).detail;
    expect(tier.tier).to.equal(5);
    expect(tier.refused.map((r) => r.tier)).to.deep.equal([1, 2, 3, 4]);
    for (const r of tier.refused) expect(r.reason).to.contain('no WebGL in a worker');
    expect(error.type).to.equal('unsupported');
    await waitFor(() => element.state === 'error', 'the error state');
    expect(element.tier).to.equal(5);
    expect(element.stream).to.equal(null);
    expect(element.shadowRoot!.querySelector('[part=badge]')!.textContent!.trim()).to.equal('Background blur isn’t available in this browser');
    expect(spy().getUserMediaCalls()).to.be.at.least(1);
    await waitFor(() => spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'the camera and the worker released');
  });

  it('BlurProcessor.start() rejects with a typed unsupported error and leaves the input track alone', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const track = stream.getVideoTracks()[0]!;
    const processor = new BlurProcessor(track, { segmenter: 'mediapipe' });
    const errors: BlurErrorDetail[] = [];
    processor.addEventListener('error', (event) => errors.push(event.detail));
    const failure = await processor.start().then(() => null, (e: unknown) => e);
    expect(failure).to.be.instanceOf(Error);
    expect((failure as { type?: string }).type).to.equal('unsupported');
    expect(errors.map((e) => e.type)).to.deep.equal(['unsupported']);
    expect(processor.track).to.equal(null);
    expect(track.readyState).to.equal('live');
    track.stop();
    await waitFor(() => spy().liveWorkers() === 0, 'the worker terminated');
  });
});
