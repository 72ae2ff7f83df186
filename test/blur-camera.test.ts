import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera, TrackReadyDetail, BlurErrorDetail, TierChangeDetail } from '../dist/blur-camera.js';
import { readTrack } from './helpers/frames.js';
import { nextEvent, removeBlurCameras, useResourceSpy, waitFor } from './helpers/resource-spy.js';

/** The fake camera plays ../shared/media/clips/keyed-person-720p.mjpeg (see web-test-runner.config.mjs). */
describe('<blur-camera> with the fake camera', () => {
  const spy = useResourceSpy(async () => {
    await removeBlurCameras();
  });

  it('fires trackready on tier 1, and frames of the camera size arrive on .stream', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera sigma="8"></blur-camera>`);
    const ready = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    expect(ready.tier).to.equal(1);
    expect(element.tier).to.equal(1);
    expect(element.state).to.equal('running');
    expect(element.stream).to.equal(ready.stream);
    expect(ready.track.readyState).to.equal('live');
    const reader = readTrack(element.stream!.getVideoTracks()[0]!);
    let frames = 0;
    await reader.until((frame) => {
      expect([frame.displayWidth, frame.displayHeight]).to.deep.equal([1280, 720]);
      return ++frames >= 20;
    });
    await reader.cancel();
    expect(frames).to.equal(20);
    expect(element.stats!.framesOut).to.be.at.least(1);
  });

  it('reports the tier and why better tiers were refused', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera max-tier="1"></blur-camera>`);
    const change = (await nextEvent<CustomEvent<TierChangeDetail>>(element, 'tierchange')).detail;
    expect(change.tier).to.equal(1);
    expect(change.refused).to.deep.equal([]);
  });

  it('shows the processed stream in its preview, with a labelled slider and a polite badge', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    await nextEvent(element, 'trackready');
    await element.updateComplete;
    const video = element.shadowRoot!.querySelector('video')!;
    expect(video.srcObject).to.equal(element.stream);
    await waitFor(() => video.videoWidth === 1280, 'the preview to play');
    const slider = element.shadowRoot!.querySelector<HTMLInputElement>('[part="slider"]')!;
    expect(slider.type).to.equal('range');
    expect(slider.labels![0]!.textContent!.trim()).to.equal('Blur strength');
    expect(slider.getAttribute('aria-valuetext')).to.equal('8 of 32');
    slider.value = '16';
    slider.dispatchEvent(new Event('input'));
    expect(element.sigma).to.equal(16);
    const badge = element.shadowRoot!.querySelector('[part="badge"]')!;
    expect(badge.getAttribute('aria-live')).to.equal('polite');
    expect(badge.textContent!.trim()).to.equal('Background blur is on');
  });

  it('carries .stream through a loopback RTCPeerConnection, and the far side decodes frames', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const { track, stream } = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    try {
      sender.addEventListener('icecandidate', (event) => event.candidate && void receiver.addIceCandidate(event.candidate));
      receiver.addEventListener('icecandidate', (event) => event.candidate && void sender.addIceCandidate(event.candidate));
      const remoteTrack = new Promise<MediaStreamTrack>((resolve) => receiver.addEventListener('track', (event) => resolve(event.track)));
      sender.addTrack(track, stream);
      await sender.setLocalDescription();
      await receiver.setRemoteDescription(sender.localDescription!);
      await receiver.setLocalDescription();
      await sender.setRemoteDescription(receiver.localDescription!);
      const remote = readTrack(await remoteTrack);
      let decoded = 0;
      await remote.until((frame) => frame.displayWidth > 0 && ++decoded >= 10);
      await remote.cancel();
      const stats = await receiver.getStats();
      const inbound = [...stats.values()].find((report) => report.type === 'inbound-rtp' && report.kind === 'video');
      expect(inbound?.framesDecoded).to.be.at.least(10);
    } finally {
      sender.close();
      receiver.close();
    }
  });

  it('stop() ends every track and terminates the worker', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const { track } = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    expect(spy().liveTracks()).to.have.length(1);
    await element.stop();
    expect(track.readyState).to.equal('ended');
    expect(spy().liveTracks()).to.have.length(0);
    expect(spy().liveWorkers()).to.equal(0);
    expect(element.state).to.equal('stopped');
    expect(element.stream).to.equal(null);
  });

  it('stops the camera and the worker when removed, and starts again when added back', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const first = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail.track;
    const parent = element.parentElement!;
    element.remove();
    await waitFor(() => first.readyState === 'ended' && spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'release after removal');
    const again = nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready');
    parent.append(element);
    const second = (await again).detail.track;
    expect(second.readyState).to.equal('live');
    expect(spy().getUserMediaCalls()).to.equal(2);
  });

  it('keeps the camera running when moved within the page', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const { track } = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    const elsewhere = document.createElement('section');
    document.body.append(elsewhere);
    elsewhere.append(element);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(track.readyState).to.equal('live');
    expect(spy().getUserMediaCalls()).to.equal(1);
    expect(spy().workers).to.have.length(1);
    expect(element.state).to.equal('running');
    elsewhere.remove();
  });

  it('says plainly when no tier is available, fires error "unsupported", and leaves no camera running', async () => {
    // max-tier="5" allows only the last rung, as a browser with none of the others would.
    const element = await fixture<BlurCamera>(html`<blur-camera max-tier="5"></blur-camera>`);
    const error = (await nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error')).detail;
    expect(error.type).to.equal('unsupported');
    expect(error.message).to.match(/not available/);
    await waitFor(() => spy().liveTracks().length === 0 && spy().liveWorkers() === 0, 'release after unsupported');
    expect(element.stream).to.equal(null);
    expect(element.tier).to.equal(5);
    expect(element.state).to.equal('error');
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[part="badge"]')!.textContent!.trim()).to.equal('Background blur isn’t available in this browser');
  });

  it('tells the user on tier 4 that the CPU is doing the work', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera max-tier="4"></blur-camera>`);
    const ready = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    expect(ready.tier).to.equal(4);
    await element.updateComplete;
    const badge = element.shadowRoot!.querySelector('[part="badge"]')!;
    expect(badge.textContent!.trim()).to.equal('Background blur is using your CPU; quality may be reduced');
    element.badgeTexts = { ...element.badgeTexts, tiers: { ...element.badgeTexts.tiers, 4: 'Unschärfe läuft auf der CPU' } };
    await element.updateComplete;
    expect(badge.textContent!.trim()).to.equal('Unschärfe läuft auf der CPU');
  });

  it('badgeTexts of null or a partial object falls back to the default texts, never throws in render', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
    const badge = (): string => element.shadowRoot!.querySelector('[part="badge"]')!.textContent!.trim();
    const thrown: unknown[] = [];
    const onError = (event: ErrorEvent): void => {
      thrown.push(event.error);
    };
    window.addEventListener('error', onError);
    try {
      (element as unknown as { badgeTexts: unknown }).badgeTexts = null;
      await element.updateComplete;
      expect(badge()).to.equal('Starting camera…');
      (element as unknown as { badgeTexts: unknown }).badgeTexts = { starting: 'Kamera startet…', tiers: { 2: 'an' } };
      await element.updateComplete;
      expect(badge()).to.equal('Kamera startet…');
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(thrown).to.deep.equal([]);
  });

});
