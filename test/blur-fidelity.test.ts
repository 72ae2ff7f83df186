import { expect } from '@open-wc/testing';
import { gaussianBlurAt } from './helpers/gaussian-blur.js';
import { deepRegion, loadGroundTruth } from './helpers/image-metrics.js';
import { runStill, type StillRun } from './helpers/settled.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

/**
 * Every compositor blurs a downsampled copy and stretches it back (the cost
 * does not grow with sigma). It must look like the full-resolution Gaussian:
 * mean absolute difference under 2/255 in the background, outside a 12 px band
 * around the true edge, against an exact CPU Gaussian of the input.
 */
const CASES = [
  { tier: 1, renderer: 'auto', compositor: 'cpu', sigmas: [2, 4, 8, 16, 32] },
  { tier: 1, renderer: 'gpu', compositor: 'webgpu', sigmas: [4, 8, 16] },
  { tier: 2, renderer: 'gpu', compositor: 'webgl2', sigmas: [8] },
  { tier: 4, renderer: 'auto', compositor: 'cpu', sigmas: [8] },
] as const;

describe('the blur looks like a full-resolution Gaussian', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  for (const { tier, renderer, compositor, sigmas } of CASES) {
    it(`${compositor}: background MAD under 2/255 at sigma ${sigmas.join(', ')}`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      const background = deepRegion(truth, 0, 12);
      run = await runStill(PORTRAIT, { sigma: sigmas[0], maxTier: tier, renderer });
      expect(run.processor.stats.compositor ?? compositor).to.equal(compositor);
      await run.settled();
      for (const sigma of sigmas) {
        run.processor.sigma = sigma;
        // Frames in flight may carry the old sigma.
        for (let i = 0; i < 3; i++) await run.reader.next();
        const output = await run.reader.next();
        const reference = gaussianBlurAt(run.input, sigma, background);
        let sum = 0;
        let n = 0;
        for (let p = 0; p < background.length; p++) {
          if (!background[p]) continue;
          for (let c = 0; c < 3; c++) sum += Math.abs(output.data[p * 4 + c]! - reference[p * 3 + c]!);
          n += 3;
        }
        const mad = sum / n;
        console.log(`${compositor} sigma ${sigma}: MAD ${mad.toFixed(2)}/255 from the full-resolution Gaussian`);
        expect(mad, `sigma ${sigma}`).to.be.below(2);
      }
    });
  }
});
