import { expect, fixture, html } from '@open-wc/testing';
import '../../dist/blur-camera.js';
import { BlurProcessor } from '../../dist/blur-camera.js';
import type { BlurCamera, TrackReadyDetail } from '../../dist/blur-camera.js';
import { nextEvent, removeBlurCameras, useResourceSpy, waitFor } from '../helpers/resource-spy.js';

/** Makes the camera answer `ms` late, as a permission prompt the user reads first does; the camera itself is real. */
function slowCamera(ms: number): () => void {
  const mediaDevices = navigator.mediaDevices;
  const getUserMedia = mediaDevices.getUserMedia;
  mediaDevices.getUserMedia = async function (constraints?: MediaStreamConstraints): Promise<MediaStream> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return getUserMedia.call(mediaDevices, constraints);
  };
  return () => {
    mediaDevices.getUserMedia = getUserMedia;
  };
}

/**
 * Lifecycle faults every engine must get right (issue 14, items 4–6): the
 * consumer stopping the output, and start/stop while the camera prompt is open.
 * `browser` names the engine in the test titles.
 */
export function lifecycleSpecs(browser: string): void {
  describe(`lifecycle in ${browser}`, () => {
    let restoreCamera: (() => void) | null = null;
    const spy = useResourceSpy(async () => {
      restoreCamera?.();
      restoreCamera = null;
      await removeBlurCameras();
    });

    it('stopping .stream\'s track turns the camera and the workers off, and statechange says stopped', async () => {
      const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
      const ready = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
      const states: string[] = [];
      element.addEventListener('statechange', (event) => states.push(event.detail.state));
      ready.track.stop();
      await waitFor(() => spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'the camera and the workers released');
      expect(element.state).to.equal('stopped');
      expect(states).to.deep.equal(['stopped']);
      expect(element.stream).to.equal(null);
    });

    it('BlurProcessor: stopping its output fires ended and ends its workers; the input stays the caller\'s', async () => {
      const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
      const input = camera.getVideoTracks()[0]!;
      const processor = new BlurProcessor(input);
      try {
        const output = await processor.start();
        const ended = nextEvent(processor, 'ended', 5000);
        output.stop();
        await ended;
        await waitFor(() => spy().liveWorkers() === 0, 'the workers terminated');
        expect(processor.track).to.equal(null);
        expect(input.readyState).to.equal('live');
      } finally {
        input.stop();
      }
    });

    it('start(), stop(), start() while the camera prompt is open: the last call wins', async () => {
      restoreCamera = slowCamera(800);
      const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
      const first = element.start();
      await element.stop();
      const second = element.start();
      await Promise.all([first, second]);
      expect(element.state).to.equal('running');
      expect(element.stream?.getVideoTracks()[0]?.readyState).to.equal('live');
      // The first call's camera was turned off the moment it arrived: one camera is live.
      expect(spy().cameraTracks.filter((track) => track.readyState === 'live')).to.have.length(1);
    });

    it('stop() while the camera prompt is open: the camera never stays on', async () => {
      restoreCamera = slowCamera(800);
      const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
      const started = element.start();
      await element.stop();
      await started;
      await waitFor(() => spy().getUserMediaCalls() === 1 && spy().cameraTracks.length === 1, 'the late camera to arrive');
      await waitFor(() => spy().liveTracks().length === 0, 'the late camera to be turned off');
      expect(element.state).to.equal('stopped');
      expect(spy().liveWorkers()).to.equal(0);
    });
  });
}
