/** WGSL shaders are imported as strings by the rollup `wgsl` transform. */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
