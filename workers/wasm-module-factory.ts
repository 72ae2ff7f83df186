/** An emscripten module factory: what a wasm runtime's loader script defines as `ModuleFactory`. */
export type ModuleFactory = (moduleArg?: object) => Promise<unknown>;

/**
 * A loader sets `self.ModuleFactory` when its script runs, and its runtime
 * clears it once it has used it. In a module worker the loader is an ES module
 * (shipped with a default export), which runs only on its first import, so a
 * second use (a model change, the governor's landscape model, a new delegate
 * after a GPU fault) failed with "ModuleFactory not set". Keeping the factory
 * per loader URL, and putting it back before each use, fixes that.
 */
const factories = new Map<string, Promise<ModuleFactory>>();

/** The loader at `loaderUrl`'s factory, imported once per URL. */
export function moduleFactory(loaderUrl: string): Promise<ModuleFactory> {
  let factory = factories.get(loaderUrl);
  if (!factory) {
    factory = (import(/* webpackIgnore: true */ /* @vite-ignore */ loaderUrl) as Promise<{ default?: ModuleFactory }>).then((module) => {
      // Parcel re-emits a loader as a script with no exports; running, it still sets self.ModuleFactory.
      const found = module.default ?? (self as unknown as { ModuleFactory?: ModuleFactory }).ModuleFactory;
      if (!found) throw new Error(`${loaderUrl} defines no ModuleFactory`);
      return found;
    });
    factories.set(loaderUrl, factory);
    factory.catch(() => factories.delete(loaderUrl));
  }
  return factory;
}

/** Puts the loader's factory where the runtime looks for it, `self.ModuleFactory`. */
export async function restoreModuleFactory(loaderUrl: string): Promise<void> {
  (self as unknown as { ModuleFactory?: ModuleFactory }).ModuleFactory = await moduleFactory(loaderUrl);
}
