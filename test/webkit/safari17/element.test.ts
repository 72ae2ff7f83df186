import { elementSpecs } from '../../specs/element-specs.js';
import { SAFARI_17 } from '../../specs/browser-profile.js';

elementSpecs(SAFARI_17);
