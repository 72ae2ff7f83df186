import { expect } from '@open-wc/testing';
import type { BlurErrorDetail, BlurProcessorOptions } from '../../dist/blur-camera.js';
import { runStill, type StillRun } from '../helpers/settled.js';
import { frameDetail } from '../helpers/whole-frame.js';

const PORTRAIT = '/media/stills/portrait.jpg';

/** One way to run the processor: a label for the titles, the options, and the compositor that must render. */
export interface ModelMissingVariant {
  readonly label: string;
  readonly options: BlurProcessorOptions;
  readonly compositor: 'webgpu' | 'webgl2' | 'cpu';
}

/**
 * Issue 14, item 1: with the model missing no mask ever exists, and the slider
 * says σ 2, which alone would leave the room readable. Every frame must stay
 * at least 5× less detailed than the input, on every compositor, in every
 * engine; and the error must name the URL that failed.
 */
export function modelMissingSpecs(engine: string, variants: readonly ModelMissingVariant[]): void {
  describe(`${engine}: with the model missing, every frame stays blurred whole at sigma 2`, () => {
    let run: StillRun | null = null;
    afterEach(async () => {
      await run?.stop();
      run = null;
    });

    for (const variant of variants) {
      it(`${variant.label} (${variant.compositor}): error "model-load" naming the URL, and every frame ≥5× less detailed than the input`, async () => {
        const errors: BlurErrorDetail[] = [];
        run = await runStill(PORTRAIT, { ...variant.options, sigma: 2, assetsUrl: '/broken-assets/missing/' }, (processor) => {
          processor.addEventListener('error', (event) => errors.push(event.detail));
        });
        const inFrame = frameDetail(run.input);
        let worst = 0;
        for (let i = 0; i < 10 || errors.length === 0; i++) {
          if (i > 300) throw new Error('no model-load error within 300 frames');
          const ratio = frameDetail(await run.reader.next()) / inFrame;
          worst = Math.max(worst, ratio);
          expect(ratio, `frame ${i}: detail over the input's`).to.be.below(0.2);
        }
        console.log(`${engine}, ${variant.label} (${run.processor.stats.compositor}), model missing, sigma 2: worst whole-frame detail ratio ${worst.toFixed(4)}`);
        expect(run.processor.stats.compositor).to.equal(variant.compositor);
        expect(run.processor.stats.masks).to.equal(0);
        expect(errors.map((e) => e.type)).to.deep.equal(['model-load']);
        expect(errors[0]!.message).to.contain('/broken-assets/missing/models/selfie_segmenter.tflite');
        expect(run.processor.track!.readyState).to.equal('live');
      });
    }
  });
}
