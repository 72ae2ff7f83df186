import { processorSpecs } from '../../specs/processor-specs.js';
import { SAFARI_18 } from '../../specs/browser-profile.js';
import { modelMissingSpecs } from '../../specs/model-missing-specs.js';

processorSpecs(SAFARI_18);

// Tier 2 renders on the CPU on llvmpipe (auto), or with WebGL2 when asked (renderer 'gpu').
modelMissingSpecs(`WebKit, ${SAFARI_18.name}`, [
  { label: 'tier 2, renderer auto', options: {}, compositor: 'cpu' },
  { label: 'tier 2, renderer gpu', options: { renderer: 'gpu' }, compositor: 'webgl2' },
]);
