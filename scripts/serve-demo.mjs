/** `npm start`: serves the repository (demo/ and the built dist/) on localhost and prints the demo's URL. */
import { startDevServer } from '@web/dev-server';

const port = Number(process.env.PORT ?? 8000);
const server = await startDevServer({
  config: { rootDir: '.', port, hostname: 'localhost', nodeResolve: false, watch: false },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
});
const url = `http://localhost:${server.config.port}/demo/`;
console.log(`blur-camera demo: ${url}`);
console.log('Press Ctrl+C to stop.');
