/** WGSL and GLSL shaders are imported as strings by the rollup `shader-source` transform. */
declare module '*.wgsl' {
  const source: string;
  export default source;
}

declare module '*.glsl' {
  const source: string;
  export default source;
}
