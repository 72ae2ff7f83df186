import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera, BlurErrorDetail } from '../dist/blur-camera.js';
import { BackgroundFitter } from '../gpu/background.js';
import { WebGpuCompositor } from '../gpu/webgpu/webgpu-compositor.js';
import type { CompositorTimings, RenderParams } from '../gpu/compositor.js';
import { coverExpected, edgeBand, knownPicture, replacementHalo, solid, type KnownPicture } from './helpers/background.js';
import { framePixels, loadBitmap, readTrack, type Pixels } from './helpers/frames.js';
import { deepRegion, laplacianVariance, loadGroundTruth, meanAbsoluteDifference, type GroundTruth } from './helpers/image-metrics.js';
import { nextEvent, removeBlurCameras } from './helpers/resource-spy.js';
import { runStill, type StillRun } from './helpers/settled.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';
/** Every compositor, forced as test/tiers.test.ts forces them. */
const CASES = [
  { tier: 1, renderer: 'gpu', compositor: 'webgpu' },
  { tier: 2, renderer: 'gpu', compositor: 'webgl2' },
  { tier: 2, renderer: 'auto', compositor: 'cpu' },
  { tier: 3, renderer: 'gpu', compositor: 'webgpu' },
  { tier: 4, renderer: 'auto', compositor: 'cpu' },
] as const;

function nextError(target: EventTarget): Promise<BlurErrorDetail> {
  return new Promise((resolve) => target.addEventListener('error', (event) => resolve((event as CustomEvent<BlurErrorDetail>).detail), { once: true }));
}

/** Frames already in flight may still show the previous background: read a few, then one more. */
async function afterChange(run: StillRun, frames = 4): Promise<Pixels> {
  for (let i = 0; i < frames; i++) await run.reader.next();
  return run.reader.next();
}

/** The mean colour of a region. */
function meanColour(p: Pixels, region: Uint8Array): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    for (let c = 0; c < 3; c++) sum[c]! += p.data[i * 4 + c]!;
    n++;
  }
  return sum.map((v) => v / n) as [number, number, number];
}

describe('background replacement, on stills/portrait.jpg and its mask', () => {
  let truth: GroundTruth;
  let picture: KnownPicture;
  let expected: Pixels;
  let run: StillRun | null = null;
  /** Each compositor's output with the same picture, for the cross-tier check. */
  const outputs = new Map<string, Pixels>();

  before(async () => {
    truth = await loadGroundTruth(PORTRAIT_MASK);
    // Landscape, against a portrait frame: `cover` must crop its sides and scale it up.
    picture = await knownPicture(960, 540);
    expected = coverExpected(picture, truth.width, truth.height);
  });
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  for (const { tier, renderer, compositor } of CASES) {
    it(`tier ${tier} (${compositor}): the picture covers the true background within 3/255, the person matches the input`, async () => {
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer, background: picture.blob });
      expect(run.processor.tier).to.equal(tier);
      const output = await run.settled();
      expect(run.processor.stats.compositor).to.equal(compositor);
      const background = meanAbsoluteDifference(output, expected, deepRegion(truth, 0));
      const person = meanAbsoluteDifference(output, run.input, deepRegion(truth, 1));
      console.log(`tier ${tier} (${compositor}): background MAD ${background.toFixed(3)}/255 against the picture, person MAD ${person.toFixed(3)}/255 against the input`);
      expect(background).to.be.below(3);
      expect(person).to.be.below(3);
      outputs.set(`${tier} (${compositor})`, output);
    });
  }

  it('agrees across tiers: mean absolute difference under 3/255 between any two', () => {
    const names = [...outputs.keys()];
    expect(names.length, 'the per-tier cases ran first').to.equal(CASES.length);
    for (const [i, a] of names.entries()) {
      for (const b of names.slice(i + 1)) {
        const mad = meanAbsoluteDifference(outputs.get(a)!, outputs.get(b)!);
        console.log(`tiers ${a} and ${b}: MAD ${mad.toFixed(2)}/255`);
        expect(mad, `tiers ${a} and ${b}`).to.be.below(3);
      }
    }
  });

  for (const { tier, renderer, compositor } of [{ tier: 1, renderer: 'auto', compositor: 'cpu' }, { tier: 4, renderer: 'auto', compositor: 'cpu' }] as const) {
    it(`tier ${tier} (${compositor}): a solid CSS colour, then another set live`, async () => {
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer, background: 'rebeccapurple' });
      const background = deepRegion(truth, 0);
      const person = deepRegion(truth, 1);
      const purple = await run.settled();
      expect(run.processor.stats.compositor).to.equal(compositor);
      const purpleMad = meanAbsoluteDifference(purple, solid(truth.width, truth.height, [102, 51, 153]), background);
      run.processor.background = ' #2A6F97 ';
      const blue = await afterChange(run);
      const blueMad = meanAbsoluteDifference(blue, solid(truth.width, truth.height, [0x2a, 0x6f, 0x97]), background);
      const personMad = meanAbsoluteDifference(blue, run.input, person);
      console.log(`tier ${tier} (${compositor}): rebeccapurple MAD ${purpleMad.toFixed(3)}, #2A6F97 MAD ${blueMad.toFixed(3)}, person MAD ${personMad.toFixed(3)}`);
      expect(purpleMad).to.be.below(3);
      expect(blueMad).to.be.below(3);
      expect(personMad).to.be.below(3);
    });
  }

  it('loads an image URL (the demo\'s own gradient) and covers the frame with it', async () => {
    const url = '/demo/backgrounds/gradient.png';
    run = await runStill(PORTRAIT, { sigma: 8, background: url });
    expect(run.processor.background).to.equal(url);
    const output = await run.settled();
    // The reference: the same picture, drawn to cover by this page's canvas.
    const bitmap = await loadBitmap(url);
    const canvas = new OffscreenCanvas(truth.width, truth.height);
    const context = canvas.getContext('2d')!;
    const scale = Math.max(truth.width / bitmap.width, truth.height / bitmap.height);
    const sw = truth.width / scale;
    const sh = truth.height / scale;
    context.drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, truth.width, truth.height);
    bitmap.close();
    const reference = { width: truth.width, height: truth.height, data: context.getImageData(0, 0, truth.width, truth.height).data, timestamp: 0 };
    const mad = meanAbsoluteDifference(output, reference, deepRegion(truth, 0));
    console.log(`${url}: background MAD ${mad.toFixed(3)}/255`);
    expect(mad).to.be.below(3);
  });

  it('a URL that fails to load fires background-load naming it, and the output stays blurred, never raw', async () => {
    const url = `${location.origin}/no-such-background-${Date.now()}.png`;
    let error: Promise<BlurErrorDetail> | null = null;
    run = await runStill(PORTRAIT, { sigma: 8, background: url }, (processor) => {
      error = nextError(processor);
    });
    const detail = await error!;
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain(url);
    const output = await run.settled();
    const background = deepRegion(truth, 0);
    const person = deepRegion(truth, 1);
    const inBackground = laplacianVariance(run.input, background);
    const outBackground = laplacianVariance(output, background);
    console.log(`failed URL: background detail ${inBackground.toFixed(1)} → ${outBackground.toFixed(1)}: ${detail.message}`);
    expect(outBackground * 5).to.be.below(inBackground);
    expect(meanAbsoluteDifference(output, run.input, person)).to.be.below(3);
    // The processor keeps running: a bad background is not a reason to stop the call.
    expect(run.processor.track!.readyState).to.equal('live');
  });

  it('a server that refuses cross-origin use gives background-load, and a working background is replaced by the blur', async () => {
    // Another origin (the same server by another name), which sends no Access-Control-Allow-Origin.
    const other = new URL(location.href);
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const url = new URL('/demo/backgrounds/gradient.png', other).href;
    const reachable = await fetch(url, { mode: 'no-cors' }).then(() => true, () => false);
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(0 200 0)' });
    const background = deepRegion(truth, 0);
    const green = await run.settled();
    expect(meanAbsoluteDifference(green, solid(truth.width, truth.height, [0, 200, 0]), background)).to.be.below(3);
    const error = nextError(run.processor);
    run.processor.background = url;
    const detail = await error;
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain(url);
    const output = await afterChange(run);
    const inBackground = laplacianVariance(run.input, background);
    const outBackground = laplacianVariance(output, background);
    console.log(`cross-origin (${reachable ? 'reachable, refused by CORS' : 'unreachable'}): background detail ${inBackground.toFixed(1)} → ${outBackground.toFixed(1)}: ${detail.message}`);
    expect(outBackground * 5).to.be.below(inBackground);
    // Blurred, not green any more and not the raw room.
    expect(meanAbsoluteDifference(output, run.input, background)).to.be.above(2);
    expect(meanAbsoluteDifference(output, green, background)).to.be.above(20);
  });

  it('a Blob that is not an image gives background-load; a value of the wrong kind warns and keeps the background', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(200 0 0)' });
    const background = deepRegion(truth, 0);
    const red = solid(truth.width, truth.height, [200, 0, 0]);
    expect(meanAbsoluteDifference(await run.settled(), red, background)).to.be.below(3);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      run.processor.background = 42 as unknown as string;
      run.processor.background = 'javascript:alert(1)';
    } finally {
      console.warn = warn;
    }
    expect(warnings.length).to.equal(2);
    expect(warnings[0]).to.contain('keeping the previous background');
    expect(run.processor.background).to.equal('rgb(200 0 0)');
    expect(meanAbsoluteDifference(await afterChange(run), red, background)).to.be.below(3);

    const error = nextError(run.processor);
    run.processor.background = new Blob(['not a picture'], { type: 'text/plain' });
    const detail = await error;
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain('Blob');
    const output = await afterChange(run);
    expect(laplacianVariance(output, background) * 5).to.be.below(laplacianVariance(run.input, background));
  });

  it('takes an ImageBitmap (a copy: the page may close its own) and an <img>; a cross-origin <img> without CORS gives background-load', async () => {
    const background = deepRegion(truth, 0);
    const bitmap = await createImageBitmap(picture.blob);
    run = await runStill(PORTRAIT, { sigma: 8, background: bitmap });
    bitmap.close();
    const fromBitmap = meanAbsoluteDifference(await run.settled(), expected, background);

    const other = await knownPicture(540, 960);
    const img = new Image();
    const objectUrl = URL.createObjectURL(other.blob);
    img.src = objectUrl;
    run.processor.background = img;
    const fromImg = meanAbsoluteDifference(await afterChange(run, 6), coverExpected(other, truth.width, truth.height), background);
    URL.revokeObjectURL(objectUrl);
    console.log(`ImageBitmap: background MAD ${fromBitmap.toFixed(3)}, <img>: ${fromImg.toFixed(3)}`);
    expect(fromBitmap).to.be.below(3);
    expect(fromImg).to.be.below(3);

    const foreign = new Image();
    const url = new URL('/demo/backgrounds/room.png', location.href);
    url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    foreign.src = url.href;
    const error = nextError(run.processor);
    run.processor.background = foreign;
    const detail = await error;
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain(url.href);
    const output = await afterChange(run);
    expect(laplacianVariance(output, background) * 5).to.be.below(laplacianVariance(run.input, background));
  });

  it('none shows the frame as it is, and the model rests; back to a picture, the person is cut out again', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, background: 'none' });
    const output = await run.reader.until(() => true);
    const mad = meanAbsoluteDifference(output, run.input);
    const masks = run.processor.stats.masks;
    for (let i = 0; i < 5; i++) await run.reader.next();
    console.log(`none: MAD ${mad.toFixed(3)}/255 against the input, masks ${masks} → ${run.processor.stats.masks}`);
    expect(mad).to.be.below(1);
    expect(run.processor.stats.masks).to.equal(masks);
    run.processor.background = picture.blob;
    const replaced = await run.settled();
    expect(meanAbsoluteDifference(replaced, expected, deepRegion(truth, 0))).to.be.below(3);
  });

  it('a <video> background follows the video as it plays', async () => {
    // A video whose picture the test controls: a canvas, captured.
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const context = canvas.getContext('2d')!;
    const paint = (colour: string): void => {
      context.fillStyle = colour;
      context.fillRect(0, 0, canvas.width, canvas.height);
    };
    paint('rgb(220 40 40)');
    const stream = canvas.captureStream(30);
    const timer = setInterval(() => context.fillRect(0, 0, 1, 1), 33);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    try {
      run = await runStill(PORTRAIT, { sigma: 8, background: video });
      const background = deepRegion(truth, 0);
      const red = meanColour(await run.settled(), background);
      paint('rgb(40 40 220)');
      const blue = meanColour(await afterChange(run, 8), background);
      console.log(`video background: ${red.map((v) => v.toFixed(1))} then ${blue.map((v) => v.toFixed(1))}`);
      expect(red[0]).to.be.closeTo(220, 3);
      expect(red[2]).to.be.closeTo(40, 3);
      expect(blue[0]).to.be.closeTo(40, 3);
      expect(blue[2]).to.be.closeTo(220, 3);
      expect(video.loop).to.equal(true);
    } finally {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
    }
  });

  for (const { renderer, compositor } of [{ renderer: 'auto', compositor: 'cpu' }, { renderer: 'gpu', compositor: 'webgpu' }] as const) {
    it(`light wrap (${compositor}): the edge takes a little of the new light; halo error against the ideal composite, with and without`, async () => {
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: 1, renderer, background: picture.blob, lightWrap: 0 });
      const without = await run.settled();
      run.processor.lightWrap = 1;
      const strong = await afterChange(run);
      run.processor.lightWrap = 0.5;
      const shipped = await afterChange(run);
      const band = edgeBand(truth, 12);
      const haloWithout = replacementHalo(without, run.input, expected, truth, band);
      const haloShipped = replacementHalo(shipped, run.input, expected, truth, band);
      const haloStrong = replacementHalo(strong, run.input, expected, truth, band);
      const edgeChange = meanAbsoluteDifference(shipped, without, band);
      const deepChange = meanAbsoluteDifference(shipped, without, deepRegion(truth, 1));
      console.log(
        `light wrap (${compositor}), halo within 12 px of the true edge against A·I + (1−A)·picture: off ${haloWithout.toFixed(2)}, ` +
        `0.5 (shipped) ${haloShipped.toFixed(2)}, 1.0 ${haloStrong.toFixed(2)}; edge band moves ${edgeChange.toFixed(2)}/255, deep person ${deepChange.toFixed(3)}/255`,
      );
      expect(edgeChange).to.be.above(0.05);
      expect(deepChange).to.be.below(0.5);
      // A light touch: it may not cost more than 1/255 of halo against the ideal.
      expect(haloShipped).to.be.below(haloWithout + 1);
    });
  }
});

describe('the background is fitted and uploaded once, not every frame', () => {
  it('BackgroundFitter fits a picture to cover, once per picture and frame size', async () => {
    const picture = await knownPicture(400, 100);
    const bitmap = await createImageBitmap(picture.blob);
    const fitter = new BackgroundFitter();
    expect(fitter.fit(200, 200)).to.equal(null);
    fitter.set({ kind: 'image', image: bitmap });
    const first = fitter.fit(200, 200)!;
    expect(fitter.fit(200, 200)).to.equal(first);
    const pixels = { width: 200, height: 200, data: first.pixels.data, timestamp: 0 };
    expect(meanAbsoluteDifference(pixels, coverExpected(picture, 200, 200))).to.be.below(1.5);
    const resized = fitter.fit(300, 200)!;
    expect(resized.version).to.be.above(first.version);
    fitter.set({ kind: 'colour', rgb: [1, 2, 3] });
    const colour = fitter.fit(300, 200)!;
    expect([...colour.pixels.data.subarray(0, 4)]).to.deep.equal([1, 2, 3, 255]);
    expect(colour.light.width).to.be.below(300);
    bitmap.close();
  });

  it('the WebGPU compositor writes the picture to the GPU once over many frames, and frees it on destroy', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter');
    const device = await adapter.requestDevice();
    device.pushErrorScope('validation');
    const uploads: string[] = [];
    const writeTexture = device.queue.writeTexture.bind(device.queue) as (...args: Parameters<GPUQueue['writeTexture']>) => undefined;
    device.queue.writeTexture = (...args: Parameters<GPUQueue['writeTexture']>) => {
      uploads.push(args[0].texture.label);
      return writeTexture(...args);
    };
    const bitmap = await loadBitmap(PORTRAIT);
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    const picture = await knownPicture(960, 540);
    const background = await createImageBitmap(picture.blob);
    const compositor = new WebGpuCompositor(device);
    const timings: CompositorTimings = {};
    const params: RenderParams = { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0.5 };
    try {
      compositor.setBackground({ kind: 'image', image: background });
      await compositor.pushMask({ width: 4, height: 4, data: new Float32Array(16) }, 'seed', timings);
      for (let i = 0; i < 5; i++) {
        const output = await compositor.render(frame, params, timings);
        if (i === 4) {
          const pixels = framePixels(output);
          expect(meanAbsoluteDifference(pixels, coverExpected(picture, pixels.width, pixels.height))).to.be.below(1.5);
        }
        output.close();
      }
      expect(uploads.filter((label) => label === 'background')).to.deep.equal(['background']);
      compositor.setBackground({ kind: 'colour', rgb: [10, 20, 30] });
      (await compositor.render(frame, params, timings)).close();
      expect(uploads.filter((label) => label === 'background').length).to.equal(2);
      compositor.destroy();
      expect(compositor.gpuBytes).to.equal(0);
      expect((await device.popErrorScope())?.message ?? null).to.equal(null);
    } finally {
      compositor.destroy();
      frame.close();
      bitmap.close();
      background.close();
      device.destroy();
    }
  });
});

describe('<blur-camera background> with the fake camera', () => {
  afterEach(async () => {
    await removeBlurCameras();
  });

  it('background="none" says the effect is off; a colour says the background is replaced, and the room turns that colour', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera background="none"></blur-camera>`);
    await nextEvent(element, 'trackready');
    await element.updateComplete;
    const badge = (): string => element.shadowRoot!.querySelector('[part="badge"]')!.textContent!.trim();
    expect(element.background).to.equal('none');
    expect(badge()).to.equal('Background effect off');
    element.setAttribute('background', 'rgb(0 255 0)');
    await element.updateComplete;
    expect(element.background).to.equal('rgb(0 255 0)');
    expect(badge()).to.equal('Background replaced');
    // The keyed-person clip's top-left corner is room, never the person.
    const reader = readTrack(element.stream!.getVideoTracks()[0]!);
    const corner = new Uint8Array(1280 * 720);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) corner[y * 1280 + x] = 1;
    let colour: [number, number, number] = [0, 0, 0];
    const green = (): boolean => Math.abs(colour[0]) < 3 && Math.abs(colour[1] - 255) < 3 && Math.abs(colour[2]) < 3;
    for (let i = 0; i < 200 && !green(); i++) colour = meanColour(await reader.next(), corner);
    await reader.cancel();
    console.log(`<blur-camera background="rgb(0 255 0)">: top-left corner ${colour.map((v) => v.toFixed(1))}`);
    expect(green(), `the corner is ${colour}`).to.equal(true);
    element.background = null;
    await element.updateComplete;
    expect(badge()).to.equal('Background blur is on');
    // A picture that fails to load falls back to blur, and the badge says blur, not "replaced".
    const failed = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
    element.background = '/no-such-background.png';
    expect((await failed).detail.type).to.equal('background-load');
    await element.updateComplete;
    expect(badge()).to.equal('Background blur is on');
  });

  it('lists background in custom-elements.json, with background-load among the error types', async () => {
    const manifest = await (await fetch('/custom-elements.json')).json();
    const declaration = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []).find((d: { tagName?: string }) => d.tagName === 'blur-camera');
    const attribute = declaration.attributes.find((a: { name: string }) => a.name === 'background');
    expect(attribute.fieldName).to.equal('background');
    expect(declaration.events.find((e: { name: string }) => e.name === 'error').description).to.contain('background-load');
  });
});
