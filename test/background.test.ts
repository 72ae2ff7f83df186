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
import { bmpHeader, gifHeader, pngHeader, spyOnCreateImageBitmap, withExifOrientation } from './helpers/background-limits.js';
import { readDeclaredSize } from '../src/background/declared-size.js';
import { BACKGROUND_LOAD_TIMEOUT_MS, MAX_BACKGROUND_BYTES } from '../src/background/limits.js';
import { parseBackground } from '../src/background/value.js';

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
        `0.5 ${haloShipped.toFixed(2)}, 1.0 ${haloStrong.toFixed(2)}; edge band moves ${edgeChange.toFixed(2)}/255, deep person ${deepChange.toFixed(3)}/255`,
      );
      expect(edgeChange).to.be.above(0.05);
      expect(deepChange).to.be.below(0.5);
      // A light touch: it may not cost more than 1/255 of halo against the ideal.
      expect(haloShipped).to.be.below(haloWithout + 1);
    });
  }
});

/** The load timeout, and the most a test waits for the error it brings: the timeout and a generous margin. */
const TIMEOUT_S = BACKGROUND_LOAD_TIMEOUT_MS / 1000;
const TIMEOUT_BOUND_MS = BACKGROUND_LOAD_TIMEOUT_MS + 5000;

/** The next `error` event's detail; rejects, naming what was awaited, if none comes within `ms`. */
async function nextErrorWithin(target: EventTarget, ms: number): Promise<BlurErrorDetail> {
  return (await nextEvent<CustomEvent<BlurErrorDetail>>(target, 'error', ms)).detail;
}

/** A URL of the test server's that never answers (web-test-runner.config.mjs, test/fixtures/background-routes.mjs). */
function neverAnswers(name: string): string {
  return `${location.origin}/background-fixtures/hang/${Date.now()}-${name}`;
}

describe('background loads are bounded: a timeout, a byte cap, a pixel cap, no redirect away, no fetch for a typo', () => {
  let truth: GroundTruth;
  let run: StillRun | null = null;

  before(async () => {
    truth = await loadGroundTruth(PORTRAIT_MASK);
  });
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  /** Whether the output's background is blurred: far less fine detail there than in the input. */
  function blurred(output: Pixels): boolean {
    const background = deepRegion(truth, 0);
    return laplacianVariance(output, background) * 5 < laplacianVariance(run!.input, background);
  }

  it(`a URL that never answers gives background-load within the ${TIMEOUT_S} s load timeout, naming it; the output stays blurred meanwhile`, async () => {
    run = await runStill(PORTRAIT, { sigma: 8 });
    expect(blurred(await run.settled())).to.equal(true);
    const url = neverAnswers('background.png');
    const error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
    const started = performance.now();
    run.processor.background = url;
    // While the server says nothing, the previous background (the blur) stays.
    const meanwhile = await afterChange(run);
    expect(blurred(meanwhile), 'blurred while the URL is pending').to.equal(true);
    const detail = await error;
    const seconds = (performance.now() - started) / 1000;
    console.log(`never-answering URL: background-load after ${seconds.toFixed(1)} s: ${detail.message}`);
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain(url);
    expect(detail.message).to.contain('stays blurred');
    expect(blurred(await afterChange(run))).to.equal(true);
    expect(run.processor.track!.readyState).to.equal('live');
  });

  it('an <img> and a <video> whose source never answers give background-load within the load timeout, and the blur replaces the colour', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(0 200 0)' });
    const green = solid(truth.width, truth.height, [0, 200, 0]);
    expect(meanAbsoluteDifference(await run.settled(), green, deepRegion(truth, 0))).to.be.below(3);

    const img = new Image();
    img.src = neverAnswers('img.png');
    let error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
    run.processor.background = img;
    const fromImg = await error;
    console.log(`never-answering <img>: ${fromImg.message}`);
    expect(fromImg.type).to.equal('background-load');
    expect(fromImg.message).to.contain(img.src);
    expect(blurred(await afterChange(run)), 'blurred after the <img> gave up').to.equal(true);
    img.removeAttribute('src');

    const video = document.createElement('video');
    video.muted = true;
    video.src = neverAnswers('video.webm');
    try {
      run.processor.background = 'rgb(0 200 0)';
      expect(meanAbsoluteDifference(await afterChange(run), green, deepRegion(truth, 0))).to.be.below(3);
      error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
      run.processor.background = video;
      const fromVideo = await error;
      console.log(`never-answering <video>: ${fromVideo.message}`);
      expect(fromVideo.type).to.equal('background-load');
      expect(fromVideo.message).to.contain(video.src);
      expect(blurred(await afterChange(run)), 'blurred after the <video> gave up').to.equal(true);
    } finally {
      video.removeAttribute('src');
      video.load();
    }
  });

  it('a 30000×30000 PNG header, as a Blob and as a URL, gives background-load about its size and is never decoded', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(0 200 0)' });
    const green = solid(truth.width, truth.height, [0, 200, 0]);
    expect(meanAbsoluteDifference(await run.settled(), green, deepRegion(truth, 0))).to.be.below(3);
    const header = new Blob([pngHeader(30000, 30000)], { type: 'image/png' });
    const objectUrl = URL.createObjectURL(header);
    const spy = spyOnCreateImageBitmap();
    try {
      let error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
      run.processor.background = header;
      const fromBlob = await error;
      error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
      run.processor.background = objectUrl;
      const fromUrl = await error;
      console.log(`30000×30000 PNG header: ${fromBlob.message} / ${fromUrl.message}`);
      for (const detail of [fromBlob, fromUrl]) {
        expect(detail.type).to.equal('background-load');
        expect(detail.message).to.contain('30000×30000');
        expect(detail.message).to.contain('megapixels');
        expect(detail.message).to.contain('stays blurred');
      }
      expect(fromBlob.message).to.contain('Blob');
      expect(fromUrl.message).to.contain(objectUrl);
      // Refused from its header alone: nothing tried to decode (let alone allocate) 900 megapixels.
      const decodes = spy.calls.filter(({ source }) => source instanceof Blob && source.size === header.size);
      expect(decodes.length, 'createImageBitmap calls on the header').to.equal(0);
    } finally {
      spy.restore();
      URL.revokeObjectURL(objectUrl);
    }
    expect(blurred(await afterChange(run))).to.equal(true);
    expect(run.processor.track!.readyState).to.equal('live');
  });

  it('a picture over 3840 px on its long side is decoded straight to 3840, not at full size first', async () => {
    const picture = await knownPicture(5000, 1000);
    const spy = spyOnCreateImageBitmap();
    try {
      run = await runStill(PORTRAIT, { sigma: 8, background: picture.blob });
      const output = await run.settled();
      const decodes = spy.calls.filter(({ source }) => source === picture.blob);
      expect(decodes.map(({ options }) => [options?.resizeWidth, options?.resizeHeight])).to.deep.equal([[3840, 768]]);
      const mad = meanAbsoluteDifference(output, coverExpected(picture, truth.width, truth.height), deepRegion(truth, 0));
      console.log(`5000×1000 picture, decoded at 3840×768: background MAD ${mad.toFixed(3)}/255`);
      expect(mad).to.be.below(3);
    } finally {
      spy.restore();
    }
  });

  it(`a body over ${MAX_BACKGROUND_BYTES / 1024 / 1024} MiB is refused, with or without a Content-Length`, async () => {
    run = await runStill(PORTRAIT, { sigma: 8 });
    await run.settled();
    const bytes = 40 * 1024 * 1024;
    for (const declared of [true, false]) {
      const url = `${location.origin}/background-fixtures/huge.png?bytes=${bytes}${declared ? '&length' : ''}`;
      const error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS * 2);
      run.processor.background = url;
      const detail = await error;
      console.log(`${bytes} bytes, ${declared ? 'with' : 'without'} Content-Length: ${detail.message}`);
      expect(detail.type).to.equal('background-load');
      expect(detail.message).to.contain(url);
      expect(detail.message).to.contain(`${MAX_BACKGROUND_BYTES / 1024 / 1024} MiB`);
    }
    expect(blurred(await afterChange(run))).to.equal(true);
  });

  it('a same-origin URL that redirects to another origin (which allows CORS) is refused, naming both', async () => {
    const url = `${location.origin}/background-fixtures/redirect-away/gradient.png`;
    // The fixture itself: it does land on another origin, and that origin lets this page read it.
    const direct = await fetch(url, { mode: 'cors' });
    await direct.body?.cancel();
    expect(direct.ok, `fetch ${url}`).to.equal(true);
    expect(direct.redirected).to.equal(true);
    const landed = new URL(direct.url).origin;
    expect(landed).to.not.equal(location.origin);
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(0 200 0)' });
    await run.settled();
    const error = nextErrorWithin(run.processor, TIMEOUT_BOUND_MS);
    run.processor.background = url;
    const detail = await error;
    console.log(`redirect away: ${detail.message}`);
    expect(detail.type).to.equal('background-load');
    expect(detail.message).to.contain(url);
    expect(detail.message).to.contain(landed);
    expect(blurred(await afterChange(run))).to.equal(true);
  });

  it('a bare word ("blurr", "nonee", "gren") is not fetched: it warns with the valid values and keeps the previous background', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, background: 'rgb(0 200 0)' });
    const background = deepRegion(truth, 0);
    const green = solid(truth.width, truth.height, [0, 200, 0]);
    expect(meanAbsoluteDifference(await run.settled(), green, background)).to.be.below(3);
    const typos = ['blurr', 'nonee', 'gren'];
    // Observers see every resource entry, even once the page's resource timing buffer is full.
    const fetched: string[] = [];
    const observer = new PerformanceObserver((list) => fetched.push(...list.getEntries().map((entry) => entry.name)));
    observer.observe({ type: 'resource' });
    const errors: BlurErrorDetail[] = [];
    const onError = (event: Event): void => {
      errors.push((event as CustomEvent<BlurErrorDetail>).detail);
    };
    run.processor.addEventListener('error', onError);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      for (const typo of typos) run.processor.background = typo;
    } finally {
      console.warn = warn;
    }
    let output: Pixels;
    try {
      output = await afterChange(run, 10);
    } finally {
      observer.disconnect();
      run.processor.removeEventListener('error', onError);
    }
    console.log(`typos: ${warnings.join(' | ')}`);
    const requested = fetched.filter((name) => typos.some((typo) => new URL(name).pathname.endsWith(`/${typo}`)));
    expect(requested).to.deep.equal([]);
    expect(meanAbsoluteDifference(output, green, background), 'still green').to.be.below(3);
    expect(warnings.length).to.equal(typos.length);
    for (const [i, typo] of typos.entries()) {
      expect(warnings[i]).to.contain(JSON.stringify(typo));
      expect(warnings[i]).to.contain('blur, none, a CSS colour, an image URL');
      expect(warnings[i]).to.contain('keeping the previous background');
    }
    expect(run.processor.background).to.equal('rgb(0 200 0)');
    expect(errors).to.deep.equal([]);
  });
});

describe('background values and picture headers, read without loading anything', () => {
  it('a bare word is no background; a path, a file name with a dot, url(…) and a colour still are', () => {
    for (const typo of ['blurr', 'nonee', 'gren', 'Blur please', 'gradient']) expect(parseBackground(typo), typo).to.equal(null);
    expect(parseBackground('blur')).to.deep.equal({ kind: 'blur' });
    expect(parseBackground(' NONE ')).to.deep.equal({ kind: 'none' });
    expect(parseBackground('green')).to.deep.equal({ kind: 'colour', rgb: [0, 128, 0] });
    for (const [value, path] of [['./blurr', '/blurr'], ['url(blurr)', '/blurr'], ['url("gren")', '/gren'], ['room.png', '/room.png'], ['/demo/backgrounds/room.png', '/demo/backgrounds/room.png']] as const) {
      const parsed = parseBackground(value);
      expect(parsed?.kind, value).to.equal('url');
      expect(new URL(parsed?.kind === 'url' ? parsed.url : 'about:blank').pathname.endsWith(path), value).to.equal(true);
    }
  });

  it('reads the declared size of PNG, JPEG, WebP, GIF and BMP headers, and whether the picture may turn', async () => {
    const canvas = new OffscreenCanvas(321, 123);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#2a6f97';
    context.fillRect(0, 0, 321, 123);
    const png = await canvas.convertToBlob({ type: 'image/png' });
    const jpeg = await canvas.convertToBlob({ type: 'image/jpeg' });
    const webp = await canvas.convertToBlob({ type: 'image/webp' });
    context.clearRect(0, 0, 10, 10);
    const webpWithAlpha = await canvas.convertToBlob({ type: 'image/webp' });
    const lossless = await canvas.convertToBlob({ type: 'image/webp', quality: 1 });
    const size = async (blob: Blob): Promise<unknown> => {
      const declared = await readDeclaredSize(blob);
      return declared && [declared.format, declared.width, declared.height, declared.exact];
    };
    expect(await size(png)).to.deep.equal(['PNG', 321, 123, true]);
    expect(await size(new Blob([pngHeader(30000, 30000)]))).to.deep.equal(['PNG', 30000, 30000, true]);
    expect(await size(jpeg)).to.deep.equal(['JPEG', 321, 123, true]);
    expect(await size(await withExifOrientation(jpeg, 3))).to.deep.equal(['JPEG', 321, 123, true]);
    expect(await size(await withExifOrientation(jpeg, 6))).to.deep.equal(['JPEG', 321, 123, false]);
    expect(await size(webp)).to.deep.equal(['WebP', 321, 123, true]);
    expect(await size(webpWithAlpha)).to.deep.equal(['WebP', 321, 123, true]);
    expect(await size(lossless)).to.deep.equal(['WebP', 321, 123, true]);
    expect(await size(new Blob([gifHeader(300, 200, 300, 200)]))).to.deep.equal(['GIF', 300, 200, true]);
    expect(await size(new Blob([gifHeader(300, 200, 20000, 30000)]))).to.deep.equal(['GIF', 20000, 30000, false]);
    expect(await size(new Blob([bmpHeader(640, 480)]))).to.deep.equal(['BMP', 640, 480, true]);
    expect(await size(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' }))).to.equal(null);
    expect(await size(new Blob(['not a picture']))).to.equal(null);
  });
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
    const params: RenderParams = { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0.5, edgeHold: 0 };
    try {
      compositor.setBackground({ kind: 'image', image: background });
      await compositor.pushMask({ width: 4, height: 4, data: new Float32Array(16) }, new ImageData(4, 4), 'seed', timings);
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
