import type { BlurCamera } from '../../dist/blur-camera.js';

/** The text the element's badge shows now, as a user reads it. */
export function badge(element: BlurCamera): string {
  return element.shadowRoot?.querySelector('[part=badge]')?.textContent?.trim() ?? '';
}
