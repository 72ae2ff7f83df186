/**
 * Registers `<blur-camera>`: importing this file defines the element, once,
 * even if two copies of the package load. The class is in
 * blur-camera.component.ts, as Shoelace keeps it.
 */
import { BlurCamera } from './blur-camera.component.js';

if (!customElements.get('blur-camera')) customElements.define('blur-camera', BlurCamera);

export { BlurCamera };
