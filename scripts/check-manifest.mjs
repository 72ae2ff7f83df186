/**
 * Fails when custom-elements.json is stale: regenerates it into a temporary
 * folder from the current JSDoc and compares. Fix with `npm run analyze`.
 * Then checks that README.md's API tables match it (scripts/api-table.mjs),
 * and that it names only files the package ships: every module `path` and
 * every package-local reference's `module` must be a file in `npm pack`'s list
 * (so run it after `npm run build`), and the `js` exports of the module
 * dist/blur-camera.js must be exactly what the built bundle exports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The analyzer resolves --outdir against the working directory, so the scratch folder lives inside it.
const out = mkdtempSync('.cem-check-');
// The analyzer also points package.json's "customElements" at its outdir; keep the committed one.
const packageJson = readFileSync('package.json', 'utf8');
try {
  execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--outdir', out], { stdio: 'pipe' });
  const fresh = readFileSync(join(out, 'custom-elements.json'), 'utf8');
  const committed = readFileSync('custom-elements.json', 'utf8');
  if (fresh !== committed) {
    console.error('custom-elements.json is stale: run `npm run analyze` and commit the result.');
    process.exit(1);
  }
  console.log('custom-elements.json is up to date.');
  // The README's API tables are generated from the manifest; they must match it too.
  execFileSync(process.execPath, ['scripts/api-table.mjs', '--check'], { stdio: 'inherit' });
} finally {
  writeFileSync('package.json', packageJson);
  rmSync(out, { recursive: true, force: true });
}

// Every file the manifest names must be in the package. `npm pack --dry-run`
// lists what the tarball would hold (package.json's "files", from the current
// dist/) without writing it.
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
const shipped = new Set(pack.files.map((file) => file.path));

/** Every `path` (a module's) and every `module` of a reference into this package, with where it sits. */
const named = [];
const walk = (node, at) => {
  if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}[${i}]`));
  if (!node || typeof node !== 'object') return;
  if (typeof node.path === 'string') named.push({ file: node.path, at: `${at}.path` });
  // A reference with a `package` points into that package ("lit", or "global:" for a global): not a file of ours.
  if (typeof node.module === 'string' && node.package === undefined) named.push({ file: node.module, at: `${at}.module (${node.name})` });
  for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`);
};
walk(manifest, 'manifest');

const missing = named.filter(({ file }) => !shipped.has(file.replace(/^\.?\//, '')));
if (missing.length) {
  console.error(`custom-elements.json names ${missing.length} file(s) that ${pack.filename} would not contain, so tools that follow them find nothing:`);
  for (const { file, at } of missing) console.error(`  ${file}  at ${at}`);
  if (!existsSync('dist/blur-camera.js')) console.error('(dist/ is not built: run `npm run build` first.)');
  else console.error('Point them at shipped files (the plugin in custom-elements-manifest.config.mjs), then `npm run analyze`.');
  process.exit(1);
}
const files = [...new Set(named.map(({ file }) => file))];
console.log(`custom-elements.json names only shipped files: ${files.join(', ')} (${named.length} paths and references, all in ${pack.filename}).`);

// The bundle's module must list what the bundle really exports: rollup ends it with one `export { … };`.
const bundle = manifest.modules.find((module) => module.path === 'dist/blur-camera.js');
const exportLine = readFileSync('dist/blur-camera.js', 'utf8').match(/^export \{([^}]*)\};?\s*$/m);
if (!bundle || !exportLine) {
  console.error(bundle ? 'dist/blur-camera.js has no `export { … };` statement to compare with.' : 'custom-elements.json has no module with path dist/blur-camera.js.');
  process.exit(1);
}
const actual = new Set(exportLine[1].split(',').map((name) => name.trim().split(/\s+as\s+/).pop()).filter(Boolean));
const listed = new Set(bundle.exports.filter((item) => item.kind === 'js').map((item) => item.name));
const notInBundle = [...listed].filter((name) => !actual.has(name));
const notListed = [...actual].filter((name) => !listed.has(name));
if (notInBundle.length || notListed.length) {
  console.error('custom-elements.json\'s exports of dist/blur-camera.js differ from the bundle\'s:');
  if (notInBundle.length) console.error(`  listed but not exported by the bundle: ${notInBundle.join(', ')}`);
  if (notListed.length) console.error(`  exported by the bundle but not listed: ${notListed.join(', ')}`);
  process.exit(1);
}
console.log(`custom-elements.json's exports of dist/blur-camera.js match the bundle's: ${[...actual].join(', ')}.`);
