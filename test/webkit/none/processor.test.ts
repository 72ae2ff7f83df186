import { processorSpecs } from '../../specs/processor-specs.js';
import { WEBKIT_WITHOUT_WORKER_WEBGL } from '../../specs/browser-profile.js';
import { modelMissingSpecs } from '../../specs/model-missing-specs.js';

processorSpecs(WEBKIT_WITHOUT_WORKER_WEBGL);

modelMissingSpecs('WebKit without WebGL in workers (LiteRT)', [{ label: 'tier 4', options: {}, compositor: 'cpu' }]);
