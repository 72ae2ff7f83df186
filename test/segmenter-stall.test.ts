import { expect } from '@open-wc/testing';
import type { BlurErrorDetail } from '../dist/blur-camera.js';
import { deepRegion, laplacianVariance, loadGroundTruth } from './helpers/image-metrics.js';
import { nextEvent } from './helpers/resource-spy.js';
import { runStill, type StillRun } from './helpers/settled.js';

/** Issue 14, item 10: a segmenter that stops answering becomes a restart within seconds, and the room never shows. */
describe('a stuck segmenter', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
  });

  it('is restarted, with error worker-crashed (recovered); every frame meanwhile keeps the room soft, and masks come again', async () => {
    const truth = await loadGroundTruth('/media/stills/portrait-mask.png');
    run = await runStill('/media/stills/portrait.jpg', { sigma: 8, testHooks: { stallSegmenterAfterMasks: 5 } });
    const background = deepRegion(truth, 0);
    const inBackground = laplacianVariance(run.input, background);
    const error = nextEvent<CustomEvent<BlurErrorDetail>>(run.processor, 'error', 20000);
    let detail: BlurErrorDetail | null = null;
    void error.then((event) => {
      detail = event.detail;
    });
    for (let i = 0; detail === null; i++) {
      if (i > 1000) throw new Error('no error within 1000 frames of the stall');
      expect(laplacianVariance(await run.reader.next(), background) * 5, `frame ${i}: room soft`).to.be.below(inBackground);
    }
    const reported = detail as BlurErrorDetail;
    expect(reported.type).to.equal('worker-crashed');
    expect(reported.recovered).to.equal(true);
    expect(reported.message).to.contain('segmenter stopped answering');
    const masks = run.processor.stats.masks;
    await run.settled(masks + 3);
    expect(run.processor.track!.readyState).to.equal('live');
  });
});
