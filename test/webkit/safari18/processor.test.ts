import { processorSpecs } from '../specs/processor-specs.js';
import { SAFARI_18 } from '../specs/profile.js';

processorSpecs(SAFARI_18);
