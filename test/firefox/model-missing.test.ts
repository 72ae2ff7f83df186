import { modelMissingSpecs } from '../specs/model-missing-specs.js';

// Firefox has no insertable streams: tier 3 renders on the CPU on a software GPU (auto) or with
// WebGPU on lavapipe (renderer 'gpu'); tier 4 is the CPU path.
modelMissingSpecs('Firefox', [
  { label: 'tier 3, renderer auto', options: { maxTier: 3 }, compositor: 'cpu' },
  { label: 'tier 3, renderer gpu', options: { maxTier: 3, renderer: 'gpu' }, compositor: 'webgpu' },
  { label: 'tier 4', options: { maxTier: 4 }, compositor: 'cpu' },
]);
