/**
 * What renders the output: WebGPU, WebGL2, or plain typed-array loops on the
 * CPU (tier 4, and tiers 1–3 where their GPU is a software one). No backend
 * trusts a browser API to blur: each proves it on a canary first. A closed
 * union, because `stats.compositor` reports it to pages.
 */
export type Backend = 'webgpu' | 'webgl2' | 'cpu';

/**
 * A backend registered with the worker (gpu/backends.ts): a compositor with
 * how it is probed and started and where it stands on the ladder. The worker
 * reports the registered ones in `probed`, so the main thread needs no list of
 * them; a new one (which may reuse a compositor above) is its folder and one
 * registry line. The three today are named after their compositors.
 */
export type BackendName = string;
