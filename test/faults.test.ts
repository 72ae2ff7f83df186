import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera, BlurErrorDetail } from '../dist/blur-camera.js';
import { deepRegion, laplacianVariance, loadGroundTruth } from './helpers/image-metrics.js';
import { nextEvent } from './helpers/resource-spy.js';
import { runStill, type StillRun } from './helpers/settled.js';

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

describe('faults: bad attributes are clamped or ignored with one warning, never thrown', () => {
  const cases: { attribute: string; value: string; property: keyof BlurCamera; expected: unknown }[] = [
    { attribute: 'sigma', value: 'abc', property: 'sigma', expected: 8 },
    { attribute: 'sigma', value: 'NaN', property: 'sigma', expected: 8 },
    { attribute: 'sigma', value: '-5', property: 'sigma', expected: 2 },
    { attribute: 'sigma', value: '1e9', property: 'sigma', expected: 32 },
  ];
  for (const { attribute, value, property, expected } of cases) {
    it(`${attribute}="${value}" becomes ${String(expected)}`, async () => {
      const warnings: string[] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
      try {
        const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
        element.setAttribute(attribute, value);
        await element.updateComplete;
        await element.updateComplete;
        expect(element[property]).to.equal(expected);
        expect(warnings.filter((w) => w.includes(attribute))).to.have.length(1);
      } finally {
        console.warn = original;
      }
    });
  }

  for (const [attribute, value] of [['model', 'huge'], ['view', 'x-ray'], ['max-tier', '9'], ['width', '-1'], ['frame-rate', 'fast']] as const) {
    it(`${attribute}="${value}" starts anyway, with one warning naming it`, async () => {
      const warnings: string[] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
      try {
        const element = await fixture<BlurCamera>(html`<blur-camera autostart="false"></blur-camera>`);
        element.setAttribute(attribute, value);
        const ready = nextEvent(element, 'trackready');
        await element.start();
        await ready;
        expect(element.state).to.equal('running');
        expect(warnings.filter((w) => w.includes(`${attribute}=`))).to.have.length(1);
        await element.stop();
      } finally {
        console.warn = original;
      }
    });
  }
});
