/**
 * The README's "run" line: packages the extension (when stale), installs the .vsix into a persistent
 * VS Code profile under .demo/code-server, makes a sample dataset in .demo/sample-dataset (once),
 * and serves a real VS Code (code-server) on 127.0.0.1 with that folder open until Ctrl+C.
 *
 * Usage: node .ci/demo.ts [--port N] [DATASET]   (port 8080 by default, or the next free one)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSample } from '../test/sample/sampleDataset.ts';
import { installExtension, prepareProfile, startCodeServer } from '../test/vscode/codeServer.ts';
import { freshVsix } from '../test/vscode/packagedExtension.ts';
import { checkTools, REPO } from '../test/vscode/toolPaths.ts';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', default: '8080' } },
  allowPositionals: true,
});
const preferredPort = Number(values.port);
if (!Number.isInteger(preferredPort) || preferredPort < 1 || preferredPort > 65535) {
  console.error(`--port wants a port number, not ${values.port}`);
  process.exit(2);
}
const dataset = resolve(positionals[0] ?? join(REPO, '.demo', 'sample-dataset'));

try {
  checkTools();
  const vsix = freshVsix();
  const profile = prepareProfile(join(REPO, '.demo', 'code-server'));
  const extensionDir = installExtension(profile, vsix);
  console.log(`demo: installed ${vsix} into ${extensionDir}`);
  if (!existsSync(dataset)) {
    const made = await generateSample(dataset, { count: 120, seed: 1 });
    console.log(`demo: made a sample dataset: ${made.images} images, ${made.captions} captions in ${dataset}`);
  }
  const server = await startCodeServer({ profileDir: profile.root, port: preferredPort, folder: dataset });
  if (server.port !== preferredPort) console.log(`demo: port ${preferredPort} is taken, using ${server.port}`);
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    console.log('\ndemo: stopping code-server');
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`
Tagbench runs in VS Code (code-server ${server.origin}, profile in ${profile.root}).
Open this in a browser:

  ${server.workbenchUrl(dataset)}

The dataset is indexed when the folder opens; the Tagbench icon in the activity bar shows it.
The same index from the command line: npx tagbench search ${dataset} "blue_eyes OR long_*"
Press Ctrl+C to stop.`);
  const code = await server.exited;
  if (stopping) await new Promise(() => {}); // stop() exits once the server is down
  console.error(`demo: code-server exited with code ${code}\n${server.log().slice(-2000)}`);
  process.exit(1);
} catch (err) {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
