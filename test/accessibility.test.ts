import { expect, fixture, html } from '@open-wc/testing';
import '../dist/blur-camera.js';
import type { BlurCamera, BlurErrorDetail } from '../dist/blur-camera.js';
import { nextEvent, removeBlurCameras, waitFor } from './helpers/resource-spy.js';

/**
 * axe-core audits (@open-wc/testing's `accessible()`) of the element in every
 * state a user can meet: starting, running, error and unsupported; plus the
 * slider's keyboard use and the badge's live region.
 */
describe('<blur-camera> accessibility', () => {
  afterEach(removeBlurCameras);

  it('is accessible while starting', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    expect(element.state).to.equal('starting');
    await expect(element).to.be.accessible();
  });

  it('is accessible while running', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    await nextEvent(element, 'trackready');
    expect(element.state).to.equal('running');
    await expect(element).to.be.accessible();
  });

  it('is accessible in the error state', async () => {
    const element = document.createElement('blur-camera') as BlurCamera;
    element.setAttribute('device-id', 'no-such-camera');
    const errored = nextEvent<CustomEvent<BlurErrorDetail>>(element, 'error');
    document.body.append(element);
    await errored;
    await element.updateComplete;
    expect(element.state).to.equal('error');
    await expect(element).to.be.accessible();
  });

  it('is accessible when unsupported', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera max-tier="5"></blur-camera>`);
    await waitFor(() => element.tier === 5, 'the unsupported tier');
    await element.updateComplete;
    await expect(element).to.be.accessible();
  });

  it('the audit sees into shadow roots (control: an unlabelled slider in a shadow root fails it)', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    host.attachShadow({ mode: 'open' }).innerHTML = '<input type="range">';
    await expect(host).not.to.be.accessible();
  });

  it('has a labelled range slider that the keyboard moves, and a polite live badge', async () => {
    const element = await fixture<BlurCamera>(html`<blur-camera></blur-camera>`);
    const slider = element.shadowRoot!.querySelector<HTMLInputElement>('input[type="range"]')!;
    expect(slider, 'a native range input').to.exist;
    // Its accessible name comes from a label.
    expect(slider.labels?.[0]?.textContent?.trim()).to.not.equal('');
    const before = Number(slider.value);
    slider.focus();
    expect(element.shadowRoot!.activeElement).to.equal(slider);
    // A native range input moves with the arrow keys; stepUp is what ArrowRight does.
    slider.stepUp();
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    slider.dispatchEvent(new Event('change', { bubbles: true }));
    await element.updateComplete;
    expect(Number(slider.value)).to.be.above(before);
    expect(element.sigma).to.equal(Number(slider.value));
    // The value is announced in words, not only as a number.
    expect(slider.getAttribute('aria-valuetext') ?? '').to.match(/\d/);
    const badge = element.shadowRoot!.querySelector('[part="badge"]')!;
    expect(badge.getAttribute('role')).to.equal('status');
    expect(badge.getAttribute('aria-live')).to.equal('polite');
    const preview = element.shadowRoot!.querySelector('[part="preview"]')!;
    expect(preview.getAttribute('aria-label') ?? '').to.not.equal('');
  });
});
