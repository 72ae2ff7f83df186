/**
 * Fails when custom-elements.json is stale: regenerates it into a temporary
 * folder from the current JSDoc and compares. Fix with `npm run analyze`.
 * Then checks that README.md's API tables match it (scripts/api-table.mjs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
