/**
 * Builds the framework examples that the tests run (examples/react, vue, svelte)
 * into examples/<name>/dist/: index.html, main.js, and the package's runtime
 * files beside main.js. Needs the package built first (`npm run build`).
 *
 * `import 'blur-camera'` resolves through this package's own "exports" (a
 * package may import itself by name), so the examples use dist/blur-camera.js
 * exactly as an app that installed the package would.
 *
 * <blur-camera> finds its workers (blur-worker.js, segmenter-worker.js),
 * wasm/ and models/ next to the module that contains it; bundled into an app,
 * that module is the app's bundle, so they are copied next to it (as an app's
 * build would copy them from node_modules/blur-camera/dist/).
 */
import { copyFile, cp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { compile as compileSvelte } from 'svelte/compiler';
import { compileScript, parse } from 'vue/compiler-sfc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageDist = join(root, 'dist');
const runtimeFiles = ['blur-worker.js', 'segmenter-worker.js', 'wasm', 'models'];

/** What Vue's template compiler must know about <blur-camera>: it is a custom element, not a component. */
const vueCompilerOptions = { isCustomElement: (tag) => tag === 'blur-camera' };

/**
 * Compiles Vue single-file components with Vue's own compiler (vue/compiler-sfc):
 * `<script setup>` with its template inlined. Styles are not supported here.
 */
function vueSfc() {
  return {
    name: 'vue-sfc',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.vue$/ }, async ({ path }) => {
        const { descriptor, errors } = parse(await readFile(path, 'utf8'), {
          filename: path,
          templateParseOptions: vueCompilerOptions, // the parser decides element or component
        });
        if (errors.length) throw errors[0];
        if (descriptor.styles.length) throw new Error(`${path}: <style> blocks are not supported by this build`);
        const script = compileScript(descriptor, {
          id: basename(path),
          inlineTemplate: true,
          isProd: true,
          templateOptions: { compilerOptions: vueCompilerOptions },
        });
        return { contents: script.content, loader: script.lang === 'ts' ? 'ts' : 'js', resolveDir: dirname(path) };
      });
    },
  };
}

/** Compiles Svelte 5 components with Svelte's own compiler, CSS injected by the component. */
function svelte() {
  return {
    name: 'svelte',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.svelte$/ }, async ({ path }) => {
        const { js, warnings } = compileSvelte(await readFile(path, 'utf8'), { filename: path, generate: 'client', css: 'injected' });
        return { contents: js.code, loader: 'js', resolveDir: dirname(path), warnings: warnings.map((w) => ({ text: w.message })) };
      });
    },
  };
}

const examples = {
  react: { entry: 'src/main.jsx', options: { jsx: 'automatic' } },
  vue: {
    entry: 'src/main.js',
    options: {
      plugins: [vueSfc()],
      // Vue's esm-bundler build asks the bundler for these feature flags.
      define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
    },
  },
  // Svelte's runtime picks its browser build through the "browser" export condition (esbuild's default for the browser).
  svelte: { entry: 'src/main.js', options: { plugins: [svelte()] } },
};

if (!existsSync(join(packageDist, 'blur-camera.js'))) {
  console.error('dist/blur-camera.js is missing: run `npm run build` first.');
  process.exit(1);
}

const only = process.argv.slice(2);
const started = performance.now();
for (const [name, { entry, options }] of Object.entries(examples)) {
  if (only.length && !only.includes(name)) continue;
  const dir = join(root, 'examples', name);
  const out = join(dir, 'dist');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(dir, entry)],
    outfile: join(out, 'main.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    ...options,
    define: { 'process.env.NODE_ENV': '"production"', ...options.define },
    absWorkingDir: root,
  });
  await copyFile(join(dir, 'index.html'), join(out, 'index.html'));
  for (const file of runtimeFiles) await cp(join(packageDist, file), join(out, file), { recursive: true });
  console.log(`examples/${name}/dist/`);
}
console.log(`built in ${Math.round(performance.now() - started)} ms`);
