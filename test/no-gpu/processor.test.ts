import { processorSpecs } from '../specs/processor-specs.js';
import { CHROMIUM_WITHOUT_GPU } from '../specs/browser-profile.js';

processorSpecs(CHROMIUM_WITHOUT_GPU);
