import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

/**
 * The production code's import graph, parsed from the sources: the folders' layering holds (no cycles, no
 * import against the direction the design gives). Tests, the emulator and the benchmarks are outside it.
 */

const OUTSIDE = new Set(['node_modules', '.tools', '.git', 'test', 'emulator', 'bench', 'docs', 'deploy', 'dist', 'scratch', '.data']);
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

interface Edge {
  readonly from: string;
  /** A project file (relative path) or a package / built-in name. */
  readonly to: string;
  /** `import type`, or every name imported as a type: erased at runtime. */
  readonly typeOnly: boolean;
}

function productionFiles(dir = PROJECT_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dir === PROJECT_ROOT && OUTSIDE.has(entry.name) ? [] : productionFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(PROJECT_ROOT, path)] : [];
  });
}

function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(join(PROJECT_ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const to = specifier.startsWith('.') ? relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
    edges.push({ from: file, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.phaseModifier === ts.SyntaxKind.TypeKeyword || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every cycle's files, found by depth-first search over the project's own files (type imports included). */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.to.endsWith('.ts')) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') {
        const cycle = stack.slice(stack.indexOf(to));
        found.set([...cycle].sort().join(' '), [...cycle, to]);
      } else if (!state.has(to)) walk(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) walk(file);
  return [...found.values()];
}

const folder = (path: string) => (path.endsWith('.ts') ? path.split('/')[0]! : '');

/** Imports against the design's direction: [from folder, what it may not import, whether type imports count too]. */
const FORBIDDEN: { readonly rule: string; readonly broken: (e: Edge) => boolean }[] = [
  { rule: 'workflows and contracts run in the workflow sandbox: no Node built-ins', broken: (e) => ['workflows', 'contracts'].includes(folder(e.from)) && BUILTINS.has(e.to) },
  { rule: 'workflows import activities only as types', broken: (e) => folder(e.from) === 'workflows' && folder(e.to) === 'activities' && !e.typeOnly },
  { rule: 'workflows never import config/', broken: (e) => folder(e.from) === 'workflows' && folder(e.to) === 'config' },
  { rule: 'contracts/ imports nothing but contracts/ at runtime', broken: (e) => folder(e.from) === 'contracts' && !e.typeOnly && folder(e.to) !== 'contracts' },
  {
    rule: 'activities, metrics, codec, devo, records and contracts never import workflows/',
    broken: (e) => ['activities', 'metrics', 'codec', 'devo', 'records', 'contracts'].includes(folder(e.from)) && folder(e.to) === 'workflows',
  },
  { rule: 'codec/ never imports activities/', broken: (e) => folder(e.from) === 'codec' && folder(e.to) === 'activities' },
  { rule: 'worker/ never imports client/', broken: (e) => folder(e.from) === 'worker' && folder(e.to) === 'client' },
];

describe('the production import graph', () => {
  const edges = productionFiles().flatMap(importsOf);

  it('is read from the sources', () => {
    assert.ok(edges.length > 300, `${edges.length} imports`);
    assert.ok(edges.some((e) => e.from === 'workflows/collector.ts' && e.to === 'workflows/collector-manager.ts'));
  });

  it('has no cycles', () => {
    const found = cycles(edges);
    assert.deepEqual(found.map((cycle) => cycle.join(' -> ')), []);
  });

  it('never imports against the direction of the layers', () => {
    const broken = FORBIDDEN.flatMap(({ rule, broken }) => edges.filter(broken).map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}: ${rule}`));
    assert.deepEqual(broken, []);
  });
});
