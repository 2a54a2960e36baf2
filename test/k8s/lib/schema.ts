/**
 * Schema checks of manifest objects. kubernetes-models validates types, required fields
 * and enums but accepts unknown fields, so a misspelled field (`replica: 3`) would pass;
 * the TypeScript compiler catches those: every object is written out as an object
 * literal typed with its kubernetes-models interface, and excess-property errors name
 * the unknown field.
 */
import ts from 'typescript';
import { join } from 'node:path';
import { REPO_ROOT, objectName, type K8sObject } from './objects.js';
import type { Problem } from './problem.js';

interface ModelRef {
  /** Module under kubernetes-models/ that exports the class and the interface. */
  module: string;
  className: string;
}

const MODELS: Record<string, ModelRef> = {
  'v1/Service': { module: 'v1/Service', className: 'Service' },
  'v1/ConfigMap': { module: 'v1/ConfigMap', className: 'ConfigMap' },
  'v1/Secret': { module: 'v1/Secret', className: 'Secret' },
  'v1/Pod': { module: 'v1/Pod', className: 'Pod' },
  'apps/v1/StatefulSet': { module: 'apps/v1/StatefulSet', className: 'StatefulSet' },
  'apps/v1/Deployment': { module: 'apps/v1/Deployment', className: 'Deployment' },
  'batch/v1/Job': { module: 'batch/v1/Job', className: 'Job' },
  'policy/v1/PodDisruptionBudget': { module: 'policy/v1/PodDisruptionBudget', className: 'PodDisruptionBudget' },
};

function modelOf(o: K8sObject): ModelRef | undefined {
  return MODELS[`${String(o.apiVersion)}/${String(o.kind)}`];
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** kubernetes-models' JSON-schema validation of every object. */
export async function schemaProblems(objects: K8sObject[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const o of objects) {
    const model = modelOf(o);
    if (!model) {
      problems.push({ check: 'schema', object: objectName(o), message: `no schema known for ${String(o.apiVersion)} ${String(o.kind)}` });
      continue;
    }
    const mod = (await import(`kubernetes-models/${model.module}`)) as Record<string, unknown>;
    const Cls = mod[model.className] as ModelClass;
    try {
      new Cls(o).validate();
    } catch (err) {
      problems.push({ check: 'schema', object: objectName(o), message: (err as Error).message });
    }
  }
  return problems;
}

/** Unknown fields anywhere in any object, found by TypeScript's excess-property check. */
export function unknownFieldProblems(objects: K8sObject[]): Problem[] {
  const lines: string[] = [];
  const lineOwner: string[] = [];
  objects.forEach((o, i) => {
    const model = modelOf(o);
    if (!model) return;
    const iface = `I${model.className}`;
    lines.push(`import type { ${iface} as T${i} } from 'kubernetes-models/${model.module}';`);
    lineOwner.push('');
  });
  objects.forEach((o, i) => {
    if (!modelOf(o)) return;
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(o)};`);
    lineOwner.push(objectName(o));
  });
  const fileName = join(REPO_ROOT, 'test', 'k8s', '__manifests_typecheck__.mts');
  const diagnostics = typecheck(fileName, lines.join('\n'));
  return diagnostics.map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    return {
      check: 'unknown-field',
      object: lineOwner[line] || 'typecheck',
      message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    };
  });
}

function typecheck(fileName: string, source: string): readonly ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.fileExists = (f) => f === fileName || ts.sys.fileExists(f);
  host.getSourceFile = (f, lang, onError, create) =>
    f === fileName ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create);
  const program = ts.createProgram([fileName], options, host);
  return [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter(
    (d) => d.file?.fileName === fileName,
  );
}
