import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera, EffectChangeDetail } from '../dist/blur-camera.js';
import { nextEvent, removeBlurCameras, waitFor } from './helpers/resource-spy.js';
import { badge } from './helpers/badge.js';

/** Issue 14, item 2: the badge and `stats` say what the worker renders, not what the page last asked for. */
describe('<blur-camera> badge tells what is on screen', () => {
  afterEach(async () => {
    await removeBlurCameras();
  });

  it('with the effect off, an invalid value and a picture that never loads leave "effect off" (the room is on screen)', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera background="none"></blur-camera>`);
    await nextEvent(element, 'trackready');
    await waitFor(() => element.stats?.background === 'none', 'the worker rendering no effect');
    expect(badge(element)).to.equal('Background effect off');

    element.background = 42 as unknown as string;
    await element.updateComplete;
    expect(badge(element), 'after an invalid value').to.equal('Background effect off');

    // This route holds the request open: the picture is loading, and the room is still what the worker renders.
    element.background = '/background-fixtures/hang/never.png';
    await element.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(badge(element), 'while a picture loads').to.equal('Background effect off');
    expect(element.stats?.background).to.equal('none');

    const changed = nextEvent<CustomEvent<EffectChangeDetail>>(element, 'effectchange', 5000);
    element.background = 'rebeccapurple';
    expect((await changed).detail.effect).to.equal('replaced');
    await element.updateComplete;
    expect(badge(element)).to.equal('Background replaced');
    await waitFor(() => element.stats?.background === 'colour', 'the worker rendering the colour');
  });
});
