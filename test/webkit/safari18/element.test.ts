import { elementSpecs } from '../../specs/element-specs.js';
import { SAFARI_18 } from '../../specs/browser-profile.js';

elementSpecs(SAFARI_18);
