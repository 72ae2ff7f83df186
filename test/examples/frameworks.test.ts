import { expect } from '@open-wc/testing';
import type { BlurCamera, TrackReadyDetail } from '../../dist/blur-camera.js';
import { waitFor } from '../helpers/resource-spy.js';

/**
 * The framework recipes in examples/, as built by scripts/build-examples.mjs
 * (`npm run build && node scripts/build-examples.mjs`), each loaded as a
 * page of its own in an iframe: the app binds <blur-camera>'s properties and
 * `trackready` its framework's way (React 19, Vue 3, Svelte 5), plays `.stream` in a <video> and sends the
 * track through an RTCPeerConnection loopback to a second <video>.
 */

interface ExamplePage {
  iframe: HTMLIFrameElement;
  doc: Document;
  trackready: Promise<CustomEvent<TrackReadyDetail>>;
}

/** Opens examples/<name>/dist/index.html and listens for its first `trackready` (or the first failure). */
async function openExample(name: string): Promise<ExamplePage> {
  const url = `/examples/${name}/dist/index.html`;
  if (!(await fetch(url, { method: 'HEAD' })).ok) throw new Error(`${url} is missing: run \`node scripts/build-examples.mjs\` after \`npm run build\``);
  const iframe = document.createElement('iframe');
  iframe.allow = 'camera';
  iframe.style.cssText = 'width: 780px; height: 560px; border: 0';
  iframe.src = url;
  document.body.append(iframe);
  // The example's own document exists as soon as its URL is the example's; its module (and so the
  // camera and the model) only runs after that, so nothing it fires can be missed from here.
  await waitFor(() => !!iframe.contentDocument?.URL.endsWith('/index.html'), `examples/${name}/dist/index.html to load`);
  const doc = iframe.contentDocument!;
  const trackready = new Promise<CustomEvent<TrackReadyDetail>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`examples/${name}: no trackready within 90 s`)), 90000);
    const settle = (action: () => void) => {
      clearTimeout(timer);
      action();
    };
    // trackready does not bubble; a capturing listener on the document still sees it.
    doc.addEventListener('trackready', (event) => settle(() => resolve(event as CustomEvent<TrackReadyDetail>)), { capture: true, once: true });
    doc.addEventListener('error', (event) => {
      if ((event.target as Element | null)?.localName !== 'blur-camera') return;
      const { type, message } = (event as unknown as CustomEvent<{ type: string; message: string }>).detail;
      settle(() => reject(new Error(`examples/${name}: <blur-camera> error ${type}: ${message}`)));
    }, { capture: true });
    iframe.contentWindow!.addEventListener('error', (event) => settle(() => reject(new Error(`examples/${name}: ${event.message}`))));
    iframe.contentWindow!.addEventListener('unhandledrejection', (event) => settle(() => reject(new Error(`examples/${name}: unhandled rejection ${String(event.reason)}`))));
  });
  return { iframe, doc, trackready };
}

/** Resolves after `count` frames have been presented by `video` (requestVideoFrameCallback). */
function presentedFrames(video: HTMLVideoElement, count: number, timeoutMs = 30000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fewer than ${count} frames presented in ${timeoutMs} ms`)), timeoutMs);
    let seen = 0;
    const onFrame = () => {
      if (++seen >= count) {
        clearTimeout(timer);
        resolve();
      } else video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
}

/** Standard deviation of the luma of the frame `video` shows (a black or flat frame is about 0). */
function lumaSpread(video: HTMLVideoElement): number {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0;
  let sumSquares = 0;
  const n = data.length / 4;
  for (let i = 0; i < data.length; i += 4) {
    const y = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    sum += y;
    sumSquares += y * y;
  }
  return Math.sqrt(Math.max(0, sumSquares / n - (sum / n) ** 2));
}

/** Moves a range input the way a user's drag does, so that React's and Vue's input listeners see it. */
function drag(input: HTMLInputElement, value: number): void {
  // React tracks the value it last set; the prototype's setter bypasses that tracker, as a real drag does.
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')!.set!.call(input, String(value));
  input.dispatchEvent(new (input.ownerDocument.defaultView!.Event)('input', { bubbles: true }));
}

for (const name of ['react', 'vue', 'svelte']) {
  describe(`examples/${name}`, () => {
    let page: ExamplePage | undefined;
    afterEach(async () => {
      const camera = page?.doc.querySelector<BlurCamera>('blur-camera');
      await camera?.stop();
      page?.iframe.remove();
      page = undefined;
    });

    it('reaches trackready, plays .stream in a <video>, and sends it through an RTCPeerConnection that connects', async () => {
      page = await openExample(name);
      const { doc } = page;
      const event = await page.trackready;
      const camera = doc.querySelector<BlurCamera>('blur-camera')!;
      expect(event.target).to.equal(camera);
      expect(event.detail.track.readyState).to.equal('live');
      // The framework set the bound property on the element.
      expect(camera.sigma).to.equal(8);
      expect(camera.hideControls).to.equal(true);

      const [local, remote] = [...doc.querySelectorAll('video')] as [HTMLVideoElement, HTMLVideoElement];
      // The app's trackready handler put the element's .stream into the first <video>.
      await waitFor(() => local.srcObject !== null, 'the app to set the local <video>');
      expect(local.srcObject).to.equal(camera.stream);
      const localTrack = (local.srcObject as MediaStream).getVideoTracks()[0]!;
      expect(localTrack).to.equal(event.detail.track);
      expect(localTrack.readyState).to.equal('live');
      await waitFor(() => local.videoWidth > 0, 'the local <video> to play', 30000);
      expect([local.videoWidth, local.videoHeight]).to.deep.equal([1280, 720]);

      // The loopback: the sender's state as the app shows it, and frames at the receiving end.
      const peerState = doc.querySelector('#peer-state')!;
      await waitFor(() => peerState.textContent === 'connected', `the peer connection to connect (it is ${peerState.textContent})`, 30000);
      await waitFor(() => remote.srcObject instanceof doc.defaultView!.MediaStream, 'the peer to receive a stream', 30000);
      remote.scrollIntoView();
      await waitFor(() => remote.videoWidth > 0, 'the peer <video> to play', 30000);
      await presentedFrames(remote, 5);
      expect(remote.videoWidth / remote.videoHeight).to.be.closeTo(16 / 9, 0.02);
      expect(lumaSpread(remote), 'the received picture has content').to.be.above(5);
    });

    it('updates the element live when the bound value changes', async () => {
      page = await openExample(name);
      await page.trackready;
      const camera = page.doc.querySelector<BlurCamera>('blur-camera')!;
      drag(page.doc.querySelector<HTMLInputElement>('input[type="range"]')!, 16);
      await waitFor(() => camera.sigma === 16, `sigma to follow the app's slider (it is ${camera.sigma})`);
    });
  });
}
