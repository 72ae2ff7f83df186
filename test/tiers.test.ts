import { expect } from '@open-wc/testing';
import { deepRegion, laplacianVariance, loadGroundTruth, maskIoU, meanAbsoluteDifference, roomAndPersonDetail } from './helpers/image-metrics.js';
import { nextMaskView, runStill, type StillRun } from './helpers/settled.js';
import type { Pixels } from './helpers/frames.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';
/**
 * Every tier with every renderer it can run. On a software GPU (SwiftShader
 * here) tiers 1 and 2 render on the CPU by default (`renderer: 'auto'`), so
 * their GPU compositors are forced with `renderer: 'gpu'`.
 */
const CASES = [
  { tier: 1, renderer: 'gpu', compositor: 'webgpu' },
  { tier: 2, renderer: 'gpu', compositor: 'webgl2' },
  { tier: 2, renderer: 'auto', compositor: 'cpu' },
  { tier: 3, renderer: 'gpu', compositor: 'webgpu' },
  { tier: 4, renderer: 'auto', compositor: 'cpu' },
] as const;

describe('every tier, forced with maxTier, on stills/portrait.jpg', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  for (const { tier, renderer, compositor } of CASES) {
    it(`tier ${tier} (${compositor}): background detail down ≥5×, person within 15%, mask IoU ≥ 0.93`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer });
      expect(run.processor.tier).to.equal(tier);
      const output = await run.settled();
      expect(run.processor.stats.compositor).to.equal(compositor);
      expect([output.width, output.height]).to.deep.equal([truth.width, truth.height]);
      const detail = roomAndPersonDetail(run.input, output, truth);
      console.log(`tier ${tier}: ${detail.summary}`);
      expect(detail.room.output * 5).to.be.below(detail.room.input);
      expect(Math.abs(detail.person.output - detail.person.input) / detail.person.input).to.be.below(0.15);
      run.processor.view = 'mask';
      const iou = maskIoU(await nextMaskView(run.reader), truth);
      console.log(`tier ${tier}: mask IoU ${iou.toFixed(4)}`);
      expect(iou).to.be.at.least(0.93);
    });

    it(`tier ${tier} (${compositor}): blurs the whole frame, person too, until the first mask exists, even at sigma 2`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      run = await runStill(PORTRAIT, { sigma: 2, maxTier: tier, renderer, testHooks: { delaySegmenterMs: 4000 } });
      const person = deepRegion(truth, 1);
      const everything = new Uint8Array(truth.person.length).fill(1);
      const inPerson = laplacianVariance(run.input, person);
      const inFrame = laplacianVariance(run.input, everything);
      for (let i = 0; i < 3; i++) {
        const frame = await run.reader.next();
        expect(run.processor.stats.masks).to.equal(0);
        const personRatio = laplacianVariance(frame, person) / inPerson;
        const frameRatio = laplacianVariance(frame, everything) / inFrame;
        if (i === 0) console.log(`tier ${tier} (${compositor}), sigma 2, no mask: detail ratio person ${personRatio.toFixed(4)}, whole frame ${frameRatio.toFixed(4)}`);
        expect(personRatio).to.be.below(0.2);
        expect(frameRatio).to.be.below(0.2);
      }
    });

    it(`tier ${tier} (${compositor}): a compositor whose blur does nothing is refused by its blur check, and the output stays blurred`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      const backend = tier === 2 ? 'webgl2' : tier === 4 ? 'cpu' : 'webgpu';
      const changes: number[] = [];
      let refusal = '';
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer, testHooks: { brokenBlur: [backend] } }, (processor) => {
        processor.addEventListener('tierchange', (event) => {
          changes.push(event.detail.tier);
          refusal = event.detail.refused.find((r) => r.tier === tier)?.reason ?? '';
        });
      }).catch((error: unknown) => {
        // Tier 4 has nothing below it: the start fails as unsupported.
        expect(tier).to.equal(4);
        expect((error as { type?: string }).type).to.equal('unsupported');
        expect(String(error)).to.contain('did not blur');
        return null;
      });
      if (!run) return;
      expect(changes).to.have.length(1);
      expect(changes[0]).to.be.above(tier);
      expect(refusal).to.match(/did not blur: its blur left \d+% of a test pattern's detail/);
      const background = deepRegion(truth, 0);
      // Tier 3's step-down is the CPU renderer on canvas capture, where MediaPipe may not start in Chromium over
      // SwiftShader (see SEGMENTER_START_TIMEOUT_MS): the frames are checked as they come, mask or not.
      for (let i = 0; i < 5; i++) {
        const output = await run.reader.next();
        expect(laplacianVariance(output, background) * 5, `frame ${i}`).to.be.below(laplacianVariance(run.input, background));
      }
    });
  }

  for (const [from, to] of [[1, 2], [2, 4], [3, 4]] as const) {
    it(`steps down from tier ${from} to tier ${to} when the GPU is lost, without an unblurred frame`, async () => {
      const truth = await loadGroundTruth(PORTRAIT_MASK);
      const background = deepRegion(truth, 0);
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: from, renderer: 'gpu' });
      expect(run.processor.tier).to.equal(from);
      const inBackground = laplacianVariance(run.input, background);
      await run.settled();
      const changed = new Promise<number>((resolve) => run!.processor.addEventListener('tierchange', (e) => resolve(e.detail.tier), { once: true }));
      run.processor.loseGpuForTest();
      // Every frame around the fault: read on until the new tier has produced 5 frames.
      let afterChange = -1;
      let newTier = 0;
      void changed.then((tier) => {
        newTier = tier;
        afterChange = 0;
      });
      for (let i = 0; i < 200 && afterChange < 5; i++) {
        const frame = await run.reader.next();
        expect(laplacianVariance(frame, background) * 5, `frame ${i} after the fault`).to.be.below(inBackground);
        if (afterChange >= 0) afterChange++;
      }
      expect(newTier).to.equal(to);
      expect(run.processor.tier).to.equal(to);
      expect(run.processor.track!.readyState).to.equal('live');
    });
  }

  it('agrees across tiers: mean absolute difference under 3/255 between any two', async () => {
    const outputs = new Map<string, Pixels>();
    for (const { tier, renderer, compositor } of [{ tier: 1, renderer: 'auto', compositor: 'cpu' }, ...CASES] as const) {
      const name = `${tier} (${compositor})`;
      if (outputs.has(name)) continue;
      run = await runStill(PORTRAIT, { sigma: 8, maxTier: tier, renderer });
      outputs.set(name, await run.settled(6));
      await run.stop();
      run = null;
    }
    const names = [...outputs.keys()];
    for (const [i, a] of names.entries()) {
      const pa = outputs.get(a)!;
      for (const b of names.slice(i + 1)) {
        const pb = outputs.get(b)!;
        const mad = meanAbsoluteDifference(pa, pb);
        console.log(`tiers ${a} and ${b}: MAD ${mad.toFixed(2)}/255`);
        expect(mad, `tiers ${a} and ${b}`).to.be.below(3);
      }
    }
  });
});
