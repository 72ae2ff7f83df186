import { lifecycleSpecs } from '../../specs/lifecycle-specs.js';

lifecycleSpecs('WebKit without WebGL in workers (LiteRT)');
