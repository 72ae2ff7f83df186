import { lifecycleSpecs } from '../../specs/lifecycle-specs.js';

lifecycleSpecs('WebKit, Safari 18 features');
