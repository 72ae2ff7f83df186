import { elementSpecs } from '../specs/element-specs.js';
import { CHROMIUM_WITHOUT_GPU } from '../specs/browser-profile.js';

elementSpecs(CHROMIUM_WITHOUT_GPU);
