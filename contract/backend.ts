/**
 * What renders the output: WebGPU, WebGL2, or plain typed-array loops on the
 * CPU (tier 4, and tiers 1–3 where their GPU is a software one). No backend
 * trusts a browser API to blur: each proves it on a canary first.
 */
export type Backend = 'webgpu' | 'webgl2' | 'cpu';
