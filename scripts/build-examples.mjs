/**
 * Builds the framework examples that the tests run (examples/react, vue, svelte)
 * into examples/<name>/dist/: index.html, main.js, and what esbuild emitted
 * beside main.js for the package (its two workers, MediaPipe's wasm and its
 * loader, the models). Needs the package built first (`npm run build`).
 *
 * `import 'blur-camera'` resolves through this package's own "exports" (a
 * package may import itself by name), so the examples use dist/blur-camera.js
 * exactly as an app that installed the package would.
 *
 * <blur-camera> names its workers, wasm and models with literal
 * `new URL('./…', import.meta.url)`. esbuild does not follow those by itself;
 * @chialab/esbuild-plugin-meta-url does, bundling the workers and emitting the
 * files, with `external: ['node:module']` (MediaPipe's loader imports it only
 * under Node). That is the configuration the README gives for esbuild, and
 * scripts/package-check.mjs builds an app with exactly it. Nothing is copied.
 */
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import metaUrl from '@chialab/esbuild-plugin-meta-url';
import { build } from 'esbuild';
import { compile as compileSvelte } from 'svelte/compiler';
import { compileScript, parse } from 'vue/compiler-sfc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageDist = join(root, 'dist');

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
    entryPoints: { main: join(dir, entry) },
    outdir: out,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    ...options,
    // The README's esbuild configuration: the plugin, and node:module left out.
    plugins: [...(options.plugins ?? []), metaUrl()],
    external: ['node:module'],
    define: { 'process.env.NODE_ENV': '"production"', ...options.define },
    absWorkingDir: root,
  });
  await copyFile(join(dir, 'index.html'), join(out, 'index.html'));
  console.log(`examples/${name}/dist/`);
}
console.log(`built in ${Math.round(performance.now() - started)} ms`);
