// `node --import ./test/support/record-imports.mjs …`: appends every module URL the process
// resolves to the file named by MC_RECORD_IMPORTS, so a test can tell what start-up loaded.
// Plain JavaScript: the module-hooks thread that runs this file has no TypeScript loader.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MC_RECORD_IMPORTS;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}

if (isMainThread) register(import.meta.url);
