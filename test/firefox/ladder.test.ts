import { expect, fixture, html } from '@open-wc/testing';
import '../../dist/blur-camera.js';
import type { BlurCamera, TierChangeDetail, TrackReadyDetail } from '../../dist/blur-camera.js';
import { readTrack } from '../helpers/frames.js';
import { deepRegion, laplacianVariance, loadGroundTruth } from '../helpers/image-metrics.js';
import { nextEvent, removeBlurCameras } from '../helpers/resource-spy.js';
import { runStill, type StillRun } from '../helpers/settled.js';

const PORTRAIT = '/media/stills/portrait.jpg';
const PORTRAIT_MASK = '/media/stills/portrait-mask.png';

/** Runs in Firefox ESR: no insertable streams, so the ladder must land on tier 3 by itself. */
describe('Firefox: the ladder lands on tier 3, and the pixel checks pass there', () => {
  let run: StillRun | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
    await removeBlurCameras();
  });

  it('<blur-camera> reaches trackready on tier 3 and frames arrive on .stream', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const change = nextEvent<CustomEvent<TierChangeDetail>>(element, 'tierchange');
    const ready = (await nextEvent<CustomEvent<TrackReadyDetail>>(element, 'trackready')).detail;
    const { refused } = (await change).detail;
    expect(ready.tier).to.equal(3);
    expect(refused.map((r) => r.tier)).to.deep.equal([1, 2]);
    expect(refused[0]!.reason).to.match(/insertable streams/);
    const reader = readTrack(ready.track);
    let frames = 0;
    await reader.until(() => ++frames >= 10);
    await reader.cancel();
    expect(frames).to.equal(10);
  });

  it('blurs the background (≥5× less detail), keeps the person (within 15%), and fails closed before the first mask', async () => {
    const truth = await loadGroundTruth(PORTRAIT_MASK);
    const background = deepRegion(truth, 0);
    const person = deepRegion(truth, 1);
    run = await runStill(PORTRAIT, { sigma: 8, testHooks: { delaySegmenterMs: 3000 } });
    expect(run.processor.tier).to.equal(3);
    const inPerson = laplacianVariance(run.input, person);
    const early = await run.reader.next();
    expect(run.processor.stats.masks).to.equal(0);
    expect(laplacianVariance(early, person) * 5).to.be.below(inPerson);
    const output = await run.settled();
    const inBackground = laplacianVariance(run.input, background);
    const outBackground = laplacianVariance(output, background);
    const outPerson = laplacianVariance(output, person);
    console.log(`firefox tier 3: background ${inBackground.toFixed(1)} → ${outBackground.toFixed(1)}, person ${inPerson.toFixed(1)} → ${outPerson.toFixed(1)}`);
    expect(outBackground * 5).to.be.below(inBackground);
    expect(Math.abs(outPerson - inPerson) / inPerson).to.be.below(0.15);
  });
});
