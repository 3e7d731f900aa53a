// A worker thread starts as plain Node, without the TypeScript loader of its parent (tsx or jest):
// register tsx so the worker's code can stay TypeScript like the rest of the package.
require('tsx/cjs/api').register();
require('./worker.ts');
