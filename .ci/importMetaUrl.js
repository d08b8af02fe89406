// Injected into CommonJS bundles so `import.meta.url` keeps working there.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
