import { expect } from '@open-wc/testing';
import type { BlurErrorDetail } from '../../dist/blur-camera.js';
import { pngHeader } from '../helpers/background-limits.js';
import { nextEvent } from '../helpers/resource-spy.js';
import { runStill, type StillRun } from '../helpers/settled.js';

/**
 * Bad backgrounds every engine must refuse cleanly (issue 14, item 13): a
 * picture that declares 30000×30000 is refused from its header, with no
 * out-of-memory crash, and a typo is not fetched. `browser` names the engine.
 */
export function backgroundBoundsSpecs(browser: string): void {
  describe(`background bounds in ${browser}`, () => {
    let run: StillRun | null = null;
    afterEach(async () => {
      await run?.stop();
      run = null;
    });

    it('a 30000×30000 PNG header gives background-load about its size; the output keeps running', async () => {
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, background: 'rgb(0 200 0)' });
      await run.settled();
      const error = nextEvent<CustomEvent<BlurErrorDetail>>(run.processor, 'error', 15000);
      run.processor.background = new Blob([pngHeader(30000, 30000)], { type: 'image/png' });
      const detail = (await error).detail;
      expect(detail.type).to.equal('background-load');
      expect(detail.message).to.contain('30000×30000');
      expect(run.processor.effect).to.equal('blur');
      await run.reader.next();
      expect(run.processor.track!.readyState).to.equal('live');
    });

    it('a typo ("blurr") is not fetched, and the background in effect stays', async () => {
      run = await runStill('/media/stills/portrait.jpg', { sigma: 8, background: 'rgb(0 200 0)' });
      await run.settled();
      const fetched: string[] = [];
      const observer = new PerformanceObserver((list) => fetched.push(...list.getEntries().map((entry) => entry.name)));
      observer.observe({ type: 'resource' });
      try {
        run.processor.background = 'blurr';
        for (let i = 0; i < 5; i++) await run.reader.next();
      } finally {
        observer.disconnect();
      }
      expect(fetched.filter((name) => name.includes('blurr'))).to.deep.equal([]);
      expect(run.processor.effect).to.equal('replaced');
    });
  });
}
