/** Generates custom-elements.json from the JSDoc of the element and its public types. */

/** The one JavaScript module the package ships (rollup bundles components/index.ts into it). */
const BUNDLE = 'dist/blur-camera.js';
/** The source file rollup bundles into BUNDLE: its exports are the bundle's exports. */
const ENTRY = 'components/index.ts';

/**
 * The analyzer describes each source file (components/*.ts, src/*.ts) as a
 * module, but none of them ships: the package holds dist/ (one ESM bundle,
 * dist/blur-camera.js, plus declaration files under dist/types/), README,
 * LICENSE and this manifest. Tools that follow a module's `path` (IDEs,
 * Storybook, API viewers) would find nothing.
 *
 * The schema's JavaScriptModule.path is "the javascript file needed to be
 * imported (not the path for example to a typescript file)", so pointing the
 * modules at dist/types/**.d.ts would swap one wrong kind of file for another:
 * a .d.ts can't be imported and defines nothing. All the runtime code is the
 * one bundle, so this plugin folds every source module into ONE module whose
 * path is dist/blur-camera.js:
 *
 * - declarations: every source module's declarations, concatenated (each name
 *   is declared once; two modules declaring the same name is an error, as the
 *   bundle's one module could not tell them apart). Unexported ones stay, as
 *   the schema allows, since the element's and the engine's docs refer to them.
 * - exports: what the bundle really exports: the entry's `js` exports that name
 *   a declaration (BlurCamera, BlurProcessor, BlurError; the entry's type-only
 *   re-exports such as Tier have no declaration here and no runtime export, so
 *   a reference to them would dangle), plus the custom-element-definition of
 *   <blur-camera>, which importing the bundle performs.
 * - references (exports[].declaration, superclass, mixins, inheritedFrom,
 *   customElement definitions, type references): a name declared in some
 *   source module now lives in dist/blur-camera.js. A name the analyzer put
 *   in the referring file itself without a declaration there is an identifier
 *   that file neither declares nor imports, i.e. a global (Error,
 *   EventTarget): the schema spells that `package: "global:"`. Any other
 *   unresolved reference fails the analysis rather than name a missing file.
 *
 * scripts/check-manifest.mjs then checks that every path and module in the
 * manifest is a file of `npm pack`, and that the exports match the bundle's.
 */
function oneBundleModule() {
  return {
    name: 'blur-camera:one-bundle-module',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const sources = manifest.modules;
      const declaredIn = new Map();
      for (const module of sources) {
        for (const declaration of module.declarations ?? []) {
          const other = declaredIn.get(declaration.name);
          if (other !== undefined && other !== module.path) {
            throw new Error(`${declaration.name} is declared in both ${other} and ${module.path}; ${BUNDLE}'s one manifest module cannot hold both`);
          }
          declaredIn.set(declaration.name, module.path);
        }
      }

      /** Rewrites every package-local reference under `node` (inside the source module at `from`). */
      const relink = (node, from) => {
        if (Array.isArray(node)) return node.forEach((item) => relink(item, from));
        if (!node || typeof node !== 'object') return;
        if (typeof node.name === 'string' && typeof node.module === 'string' && node.package === undefined) {
          if (declaredIn.has(node.name)) {
            node.module = BUNDLE;
          } else if (node.module === from) {
            delete node.module;
            node.package = 'global:';
          } else {
            throw new Error(`${from} refers to ${node.name} in ${node.module}, which the manifest does not declare; it cannot be pointed at a shipped file`);
          }
        }
        for (const value of Object.values(node)) relink(value, from);
      };

      const entry = sources.find((module) => module.path === ENTRY);
      if (!entry) throw new Error(`the analyzer found no ${ENTRY}, the bundle's entry`);
      const exports = [];
      const exported = new Set();
      const addExport = (item, from) => {
        const key = `${item.kind}:${item.name}`;
        if (exported.has(key)) return;
        exported.add(key);
        relink(item, from);
        exports.push(item);
      };
      for (const item of entry.exports ?? []) {
        if (item.kind === 'js' && declaredIn.has(item.declaration?.name)) addExport(item, ENTRY);
      }
      for (const module of sources) {
        for (const item of module.exports ?? []) {
          if (item.kind === 'custom-element-definition') addExport(item, module.path);
        }
      }

      const declarations = [];
      for (const module of sources) {
        for (const declaration of module.declarations ?? []) {
          relink(declaration, module.path);
          declarations.push(declaration);
        }
      }

      manifest.modules = [{ kind: 'javascript-module', path: BUNDLE, declarations, exports }];
    },
  };
}

export default {
  globs: ['components/**/*.ts', 'src/**/*.ts'],
  exclude: ['**/*.d.ts'],
  outdir: '.',
  litelement: true,
  plugins: [oneBundleModule()],
};
