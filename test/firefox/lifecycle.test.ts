import { lifecycleSpecs } from '../specs/lifecycle-specs.js';

lifecycleSpecs('Firefox');
