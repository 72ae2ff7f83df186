/** Generates custom-elements.json from the JSDoc of the element and its public types. */
export default {
  globs: ['components/**/*.ts', 'src/**/*.ts'],
  exclude: ['**/*.d.ts'],
  outdir: '.',
  litelement: true,
};
