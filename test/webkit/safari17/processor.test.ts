import { processorSpecs } from '../specs/processor-specs.js';
import { SAFARI_17 } from '../specs/profile.js';

processorSpecs(SAFARI_17);
