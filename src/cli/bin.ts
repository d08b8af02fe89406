/** Entry point of the `tagbench` executable. */
import { lineWriter, main } from './main.ts';

main(process.argv.slice(2), lineWriter(process.stdout), lineWriter(process.stderr)).then((code) => {
  process.exitCode = code;
});
