// Fails when modules under src/ import each other in a loop (type-only imports included: a
// type loop is still a design loop). Resolution is TypeScript's own, so `#src/…` subpath
// imports resolve exactly as tsc resolves them. Usage: node scripts/check-import-cycles.mjs [dir]
import console from 'node:console';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import ts from 'typescript';

const root = path.resolve(process.argv[2] ?? 'src');
const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.json');
if (!configPath) throw new Error('tsconfig.json not found');
const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));

/** @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const files = sourceFiles(root);
const known = new Set(files);
/** @type {Map<string, string[]>} */
const graph = new Map();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = importedFiles
    .map((i) => ts.resolveModuleName(i.fileName, file, options, ts.sys).resolvedModule)
    .map((m) => (m ? path.resolve(m.resolvedFileName) : null))
    .filter((f) => f !== null && known.has(f));
  graph.set(file, [...new Set(targets)]);
}

// Tarjan's strongly connected components: every component of more than one module is a loop.
let index = 0;
const stack = [];
const state = new Map();
const loops = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    const ws = state.get(w);
    if (!ws) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (ws.onStack) state.get(v).low = Math.min(state.get(v).low, ws.index);
  }
  const vs = state.get(v);
  if (vs.low !== vs.index) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    state.get(w).onStack = false;
    component.push(w);
  } while (w !== v);
  if (component.length > 1 || (graph.get(v) ?? []).includes(v)) loops.push(component);
}
for (const file of files) if (!state.has(file)) visit(file);

const rel = (f) => path.relative(process.cwd(), f);
if (loops.length > 0) {
  for (const loop of loops) console.error(`Import loop: ${loop.map(rel).sort().join(' ⇄ ')}`);
  process.exit(1);
}
console.log(`No import loop among ${files.length} modules under ${rel(root) || '.'}.`);
