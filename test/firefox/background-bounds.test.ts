import { backgroundBoundsSpecs } from '../specs/background-bounds-specs.js';

backgroundBoundsSpecs('Firefox');
