import { expect } from '@open-wc/testing';
import { BlurProcessor } from '../dist/blur-camera.js';
import { loadBitmap, readTrack, trackFromStill } from './helpers/frames.js';

describe('smoke', () => {
  it('processes', async () => {
    const still = trackFromStill(await loadBitmap('/media/stills/portrait.jpg'));
    const processor = new BlurProcessor(still.track, { sigma: 8 });
    processor.addEventListener('error', (e) => console.log('ERR', JSON.stringify(e.detail)));
    processor.addEventListener('tierchange', (e) => console.log('TIER', JSON.stringify(e.detail)));
    const output = await processor.start();
    const reader = readTrack(output);
    for (let i = 0; i < 60; i++) {
      const p = await reader.next();
      if (i % 10 === 0) console.log(i, p.width, p.height, p.timestamp, JSON.stringify(processor.stats));
    }
    await processor.stop();
    still.stop();
    expect(output.readyState).to.equal('ended');
  });
});
