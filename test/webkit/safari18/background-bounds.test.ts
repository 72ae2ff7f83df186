import { backgroundBoundsSpecs } from '../../specs/background-bounds-specs.js';

backgroundBoundsSpecs('WebKit, Safari 18 features');
