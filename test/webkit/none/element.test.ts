import { elementSpecs } from '../../specs/element-specs.js';
import { WEBKIT_WITHOUT_WORKER_WEBGL } from '../../specs/browser-profile.js';

elementSpecs(WEBKIT_WITHOUT_WORKER_WEBGL);
