import { expect } from '@open-wc/testing';
import { deepRegion, laplacianVariance, loadGroundTruth, maskIoU } from './helpers/image-metrics.js';
import { runStill, type StillRun } from './helpers/settled.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

describe('BlurProcessor on tier 1, pixel truth on stills/portrait.jpg', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  it('blurs the true background (≥5× less detail) and keeps the person sharp (within 15%) at sigma 8', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    run = await runStill(PORTRAIT, { sigma: 8 });
    expect(run.processor.tier).to.equal(1);
    const output = await run.settled();
    expect([output.width, output.height]).to.deep.equal([truth.width, truth.height]);
    const background = deepRegion(truth, 0);
    const person = deepRegion(truth, 1);
    const inputBackground = laplacianVariance(run.input, background);
    const outputBackground = laplacianVariance(output, background);
    const inputPerson = laplacianVariance(run.input, person);
    const outputPerson = laplacianVariance(output, person);
    console.log(`background detail ${inputBackground.toFixed(1)} → ${outputBackground.toFixed(1)}, person ${inputPerson.toFixed(1)} → ${outputPerson.toFixed(1)}`);
    expect(outputBackground * 5).to.be.below(inputBackground);
    expect(Math.abs(outputPerson - inputPerson) / inputPerson).to.be.below(0.15);
  });

  it('shows a refined mask with IoU ≥ 0.93 against the reference (view="mask")', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    run = await runStill(PORTRAIT, { view: 'mask' });
    const output = await run.settled();
    const iou = maskIoU(output, truth);
    console.log(`mask IoU ${iou.toFixed(4)}`);
    expect(iou).to.be.at.least(0.93);
  });

  it('blurs more at a larger sigma, live, without a restart', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    const background = deepRegion(truth, 0);
    run = await runStill(PORTRAIT, { sigma: 4 });
    const light = laplacianVariance(await run.settled(), background);
    run.processor.sigma = 16;
    // Frames already in flight may still carry the old sigma; skip a few.
    for (let i = 0; i < 3; i++) await run.reader.next();
    const heavy = laplacianVariance(await run.reader.next(), background);
    console.log(`background detail at sigma 4: ${light.toFixed(2)}, at 16: ${heavy.toFixed(2)}`);
    expect(heavy * 2).to.be.below(light);
  });

  it('blurs the whole frame, person included, until the first mask exists (fails closed)', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    run = await runStill(PORTRAIT, { sigma: 8, testHooks: { delaySegmenterMs: 4000 } });
    const person = deepRegion(truth, 1);
    const inputPerson = laplacianVariance(run.input, person);
    for (let i = 0; i < 3; i++) {
      const frame = await run.reader.next();
      expect(run.processor.stats.masks).to.equal(0);
      const outputPerson = laplacianVariance(frame, person);
      expect(outputPerson * 5, `frame ${i}: person detail ${outputPerson} of ${inputPerson}`).to.be.below(inputPerson);
    }
    // And once the segmenter runs, the person comes back sharp.
    const settled = await run.settled();
    expect(laplacianVariance(settled, person) * 1.15).to.be.above(inputPerson);
  });

  it('keeps the input size and timestamps', async () => {
    run = await runStill(PORTRAIT);
    const timestamps: number[] = [];
    await run.reader.until((frame) => {
      timestamps.push(frame.timestamp);
      expect([frame.displayWidth, frame.displayHeight]).to.deep.equal([820, 1024]);
      return timestamps.length >= 5;
    });
    for (const timestamp of timestamps) expect(timestamp % 33333).to.equal(0);
    expect([...timestamps].sort((a, b) => a - b)).to.deep.equal(timestamps);
  });

  it('ends the output track and releases the worker on stop()', async () => {
    run = await runStill(PORTRAIT);
    const track = run.processor.track!;
    expect(track.readyState).to.equal('live');
    await run.processor.stop();
    expect(track.readyState).to.equal('ended');
    expect(run.processor.track).to.equal(null);
  });
});
