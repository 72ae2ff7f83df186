import { processorSpecs } from '../../specs/processor-specs.js';
import { SAFARI_17 } from '../../specs/browser-profile.js';
import { modelMissingSpecs } from '../../specs/model-missing-specs.js';

processorSpecs(SAFARI_17);

modelMissingSpecs(`WebKit, ${SAFARI_17.name}`, [{ label: 'tier 4', options: {}, compositor: 'cpu' }]);
