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
    // The CPU renderer runs here (SwiftShader): the probe's WebGPU device was given back at once.
    await run.settled();
    expect(run.processor.stats.compositor).to.equal('cpu');
    expect(run.processor.stats.gpuDevices).to.equal(0);
    // The CPU renderer has no frame routes to or from a GPU.
    expect(run.processor.stats.frameRoutes).to.equal(null);
    await run.processor.stop();
    expect(track.readyState).to.equal('ended');
    expect(run.processor.track).to.equal(null);
  });

  it('destroys its WebGPU device and every GPU buffer on stop() (counted in the worker)', async () => {
    run = await runStill(PORTRAIT, { renderer: 'gpu' });
    await run.settled();
    expect(run.processor.stats.compositor).to.equal('webgpu');
    // SwiftShader is a software adapter: the zero-copy routes are not probed there (they lose the device), the copy routes run.
    expect(run.processor.stats.frameRoutes).to.deep.equal({ in: 'copy', out: 'readback', why: 'a software adapter: not probed (over SwiftShader the zero-copy routes lose the device)' });
    expect(run.processor.stats.gpuDevices).to.equal(1);
    expect(run.processor.stats.gpuBytes).to.be.above(0);
    await run.processor.stop();
    // The worker's last stats, posted after it released everything.
    expect(run.processor.stats.gpuDevices).to.equal(0);
    expect(run.processor.stats.gpuBytes).to.equal(0);
  });
});

describe('the frame-budget governor', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  it('sheds work when over budget: every other frame, then the landscape model, and still blurs correctly', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    // A 1 ms budget: no machine keeps up, so the governor must go all the way.
    run = await runStill(PORTRAIT, { sigma: 8, adaptive: true, testHooks: { frameBudgetMs: 1 } });
    await run.reader.until(() => run!.processor.stats.adaptation.model === 'landscape');
    expect(run.processor.stats.adaptation).to.deep.equal({ level: 2, segmentEvery: 2, model: 'landscape' });
    const masksBefore = run.processor.stats.masks;
    const framesBefore = run.processor.stats.framesOut;
    const output = await run.settled(masksBefore + 4);
    const masks = run.processor.stats.masks - masksBefore;
    const frames = run.processor.stats.framesOut - framesBefore;
    // Every other frame is segmented (the first frames after the switch may all be).
    expect(frames).to.be.at.least(masks + 2);
    const background = deepRegion(truth, 0);
    const person = deepRegion(truth, 1);
    expect(laplacianVariance(output, background) * 5).to.be.below(laplacianVariance(run.input, background));
    expect(Math.abs(laplacianVariance(output, person) - laplacianVariance(run.input, person)) / laplacianVariance(run.input, person)).to.be.below(0.15);
  });

  it('the governor\'s trade to the landscape model blurs no frame whole', async () => {
    // A 1 ms budget makes the governor shed work until it trades models.
    run = await runStill(PORTRAIT, { sigma: 8, adaptive: true, testHooks: { frameBudgetMs: 1 } });
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    const person = deepRegion(truth, 1);
    const inPerson = laplacianVariance(run.input, person);
    await run.settled();
    const withoutMask = run.processor.stats.framesWithoutMask;
    let after = 0;
    for (let i = 0; after < 10; i++) {
      if (i > 600) throw new Error('the governor did not trade models within 600 frames');
      const frame = await run.reader.next();
      if (run.processor.stats.adaptation.model === 'landscape') after++;
      expect(laplacianVariance(frame, person) / inPerson, `frame ${i}: person detail kept`).to.be.above(0.5);
    }
    expect(run.processor.stats.framesWithoutMask, 'no frame without a mask around the trade').to.equal(withoutMask);
  });

  it('switches the model live when asked: every frame around each swap keeps the person sharp and the room soft', async () => {
    run = await runStill(PORTRAIT, { sigma: 8 });
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    const background = deepRegion(truth, 0);
    const person = deepRegion(truth, 1);
    const inBackground = laplacianVariance(run.input, background);
    const inPerson = laplacianVariance(run.input, person);
    await run.settled();
    for (const model of ['landscape', 'general'] as const) {
      const withoutMask = run.processor.stats.framesWithoutMask;
      run.processor.model = model;
      // Until the new model runs, and 10 frames after: a frame blurred whole (a mask forgotten) loses the person's detail.
      let after = 0;
      for (let i = 0; after < 10; i++) {
        if (i > 300) throw new Error(`the ${model} model did not take over within 300 frames`);
        const frame = await run.reader.next();
        if (run.processor.stats.adaptation.model === model) after++;
        expect(laplacianVariance(frame, person) / inPerson, `${model}, frame ${i}: person detail kept`).to.be.above(0.5);
        expect(laplacianVariance(frame, background) * 5, `${model}, frame ${i}: room soft`).to.be.below(inBackground);
      }
      expect(run.processor.stats.framesWithoutMask, `no frame without a mask around the swap to ${model}`).to.equal(withoutMask);
    }
  });

  it('sheds nothing with room to spare', async () => {
    run = await runStill(PORTRAIT, { sigma: 8, adaptive: true, testHooks: { frameBudgetMs: 10_000 } });
    await run.settled(8);
    expect(run.processor.stats.adaptation).to.deep.equal({ level: 0, segmentEvery: 1, model: 'general' });
  });
});
