import { expect } from '@open-wc/testing';
import type { BlurErrorDetail, TierChangeDetail } from '../../dist/blur-camera.js';
import { deepRegion, laplacianVariance, loadGroundTruth, maskIoU, meanAbsoluteDifference, roomAndPersonDetail, type GroundTruth } from '../helpers/image-metrics.js';
import { nextMaskView, runStill, type StillRun } from '../helpers/settled.js';
import { solid } from '../helpers/background.js';
import type { BrowserProfile } from './browser-profile.js';
import { frameDetail } from '../helpers/whole-frame.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

/**
 * BlurProcessor on a person: `stills/portrait.jpg` drawn into a captured
 * canvas (the cameras of the element's specs show no person).
 */
export function processorSpecs(profile: BrowserProfile): void {
  describe(`BlurProcessor in ${profile.browser}, ${profile.name}, on stills/portrait.jpg`, () => {
    let run: StillRun | null = null;
    let truth: GroundTruth;
    before(async () => {
      truth = await loadGroundTruth(PORTRAIT_MASK);
    });
    afterEach(async () => {
      await run?.stop();
      run = null;
    });

    it(`tier ${profile.tier}: the room ≥5× softer, the person within 15%, mask IoU ≥ 0.93`, async () => {
      run = await runStill(PORTRAIT, { sigma: 8 });
      expect(run.processor.tier).to.equal(profile.tier);
      const output = await run.settled();
      expect(run.processor.stats.segmenter).to.equal(profile.segmenter);
      expect([output.width, output.height]).to.deep.equal([truth.width, truth.height]);
      const detail = roomAndPersonDetail(run.input, output, truth);
      const { compositor, compositeWorkers } = run.processor.stats;
      console.log(`${profile.name} (${compositor}, ${compositeWorkers} composite helper): ${detail.summary}`);
      // The CPU renderer composites the lower rows on a second thread wherever there are two cores.
      if (compositor === 'cpu') expect(compositeWorkers, 'composite helpers').to.equal(navigator.hardwareConcurrency >= 2 ? 1 : 0);
      expect(detail.room.output * 5).to.be.below(detail.room.input);
      expect(Math.abs(detail.person.output - detail.person.input) / detail.person.input).to.be.below(0.15);
      run.processor.view = 'mask';
      const iou = maskIoU(await nextMaskView(run.reader), truth);
      console.log(`${profile.name}: mask IoU ${iou.toFixed(4)}`);
      expect(iou).to.be.at.least(0.93);
    });

    it('blurs the person too until the first mask exists', async () => {
      run = await runStill(PORTRAIT, { sigma: 2, testHooks: { delaySegmenterMs: 4000 } });
      const inFrame = frameDetail(run.input);
      for (let i = 0; i < 3; i++) {
        const frame = await run.reader.next();
        expect(run.processor.stats.masks).to.equal(0);
        expect(frameDetail(frame) * 5, `frame ${i}, at sigma 2 with no mask`).to.be.below(inFrame);
      }
    });

    it('a backend whose blur does nothing is refused by its blur check, and the reason is in tierchange', async () => {
      const changes: TierChangeDetail[] = [];
      const errors: BlurErrorDetail[] = [];
      const options = { sigma: 8, testHooks: { brokenBlur: [profile.firstBackend] } };
      if (profile.tierWithoutFirstBackend === null) {
        // Nothing is left below: the start fails as unsupported, and no frame is sent.
        let failure: unknown = null;
        await runStill(PORTRAIT, options, (processor) => {
          processor.addEventListener('tierchange', (event) => changes.push(event.detail));
          processor.addEventListener('error', (event) => errors.push(event.detail));
        }).catch((error: unknown) => (failure = error));
        expect(failure).to.be.instanceOf(Error);
        expect(errors.map((e) => e.type)).to.deep.equal(['unsupported']);
        expect(errors[0]!.message).to.contain('did not blur');
        return;
      }
      run = await runStill(PORTRAIT, options, (processor) => {
        processor.addEventListener('tierchange', (event) => changes.push(event.detail));
      });
      expect(changes).to.have.length(1);
      expect(changes[0]!.tier).to.equal(profile.tierWithoutFirstBackend);
      const refusal = changes[0]!.refused.find((r) => r.tier === profile.tier);
      expect(refusal?.reason).to.match(/did not blur: its blur left \d+% of a test pattern's detail/);
      const output = await run.settled();
      const background = deepRegion(truth, 0);
      expect(laplacianVariance(output, background) * 5).to.be.below(laplacianVariance(run.input, background));
    });

    it('a colour background replaces the room, and the person stays as the input', async () => {
      run = await runStill(PORTRAIT, { sigma: 8, background: 'rebeccapurple' });
      const output = await run.settled();
      const backgroundMad = meanAbsoluteDifference(output, solid(truth.width, truth.height, [102, 51, 153]), deepRegion(truth, 0));
      const personMad = meanAbsoluteDifference(output, run.input, deepRegion(truth, 1));
      console.log(`${profile.name}: rebeccapurple MAD ${backgroundMad.toFixed(3)}, person MAD ${personMad.toFixed(3)}`);
      expect(backgroundMad).to.be.below(3);
      expect(personMad).to.be.below(3);
    });

    it('a background URL that fails fires background-load, and the room stays blurred', async () => {
      const url = `${location.origin}/no-such-background-${Date.now()}.png`;
      const errors: BlurErrorDetail[] = [];
      run = await runStill(PORTRAIT, { sigma: 8, background: url }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
      });
      const output = await run.settled();
      expect(errors.map((e) => e.type)).to.deep.equal(['background-load']);
      expect(errors[0]!.message).to.contain(url);
      const background = deepRegion(truth, 0);
      expect(laplacianVariance(output, background) * 5).to.be.below(laplacianVariance(run.input, background));
    });

    it('the input track ending gives camera-ended and ends the output', async () => {
      const errors: BlurErrorDetail[] = [];
      run = await runStill(PORTRAIT, { sigma: 8 }, (processor) => {
        processor.addEventListener('error', (event) => errors.push(event.detail));
      });
      const output = run.processor.track!;
      run.still.stop();
      const started = performance.now();
      while (output.readyState !== 'ended' && performance.now() - started < 10000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors.map((e) => e.type)).to.deep.equal(['camera-ended']);
      expect(output.readyState).to.equal('ended');
    });
  });
}
