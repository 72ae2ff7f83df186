/**
 * Writes dist/blur-camera.d.ts beside dist/blur-camera.js, re-exporting the
 * declarations tsc emits under dist/types/, so that a file importing the built
 * module by path (the tests, a page's own TypeScript) gets its types.
 */
import { writeFileSync } from 'node:fs';

writeFileSync('dist/blur-camera.d.ts', "export * from './types/components/index.js';\n");
