/**
 * Loading Kubernetes manifests as plain objects: raw YAML files, or a kustomization
 * rendered by `kubectl kustomize` when kubectl is installed, else by a small assembler
 * that does the parts of kustomize the manifests use (resources, configMapGenerator,
 * labels, images), so the checks run on a machine without kubectl too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');

/** A parsed manifest object; fields are checked before they are trusted. */
export interface K8sObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; labels?: unknown; [key: string]: unknown };
  spec?: unknown;
  [key: string]: unknown;
}

export interface ManifestSet {
  objects: K8sObject[];
  /** How the set was produced, for messages. */
  source: string;
}

export function parseYaml(text: string, origin: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${origin}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) throw new Error(`${origin}: a document is not a mapping`);
    out.push(value as K8sObject);
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectName(o: K8sObject): string {
  return `${String(o.kind)}/${String(o.metadata?.name)}`;
}

export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** `kubectl kustomize dir`: the manifests exactly as `kubectl apply -k` would send them. */
export function kustomizeWithKubectl(dir: string): ManifestSet {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return { objects: parseYaml(r.stdout, `kubectl kustomize ${dir}`), source: 'kubectl kustomize' };
}

interface Kustomization {
  resources?: string[];
  labels?: { pairs?: Record<string, string> }[];
  configMapGenerator?: { name: string; files?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** The subset of kustomize that manifests/kustomization.yaml uses (no name hashes). */
export function assembleKustomization(dir: string): ManifestSet {
  const [k] = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml');
  const kz = (k ?? {}) as Kustomization;
  const objects: K8sObject[] = [];
  for (const file of kz.resources ?? []) {
    objects.push(...parseYaml(readFileSync(join(dir, file), 'utf8'), file));
  }
  for (const gen of kz.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const file of gen.files ?? []) data[basename(file)] = readFileSync(join(dir, file), 'utf8');
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gen.name }, data });
  }
  const pairs = Object.assign({}, ...(kz.labels ?? []).map((l) => l.pairs ?? {})) as Record<string, string>;
  for (const o of objects) {
    o.metadata = o.metadata ?? {};
    o.metadata.labels = { ...(isRecord(o.metadata.labels) ? o.metadata.labels : {}), ...pairs };
  }
  for (const image of kz.images ?? []) retagImages(objects, image);
  return { objects, source: 'own kustomize subset' };
}

function retagImages(objects: K8sObject[], image: { name: string; newName?: string; newTag?: string }): void {
  for (const container of allContainers(objects)) {
    const ref = container.image;
    if (typeof ref !== 'string' || ref.split(':')[0] !== image.name) continue;
    const tag = image.newTag ?? ref.split(':')[1] ?? 'latest';
    container.image = `${image.newName ?? image.name}:${tag}`;
  }
}

/** The kustomization, rendered by kubectl when present, else by the assembler. */
export function loadKustomization(dir = MANIFESTS_DIR): ManifestSet {
  return kubectlAvailable() ? kustomizeWithKubectl(dir) : assembleKustomization(dir);
}

export function loadFiles(paths: string[]): ManifestSet {
  const objects = paths.flatMap((p) => parseYaml(readFileSync(p, 'utf8'), p));
  return { objects, source: paths.map((p) => join(basename(dirname(p)), basename(p))).join(', ') };
}

/** The pod template spec of a workload (StatefulSet, Deployment, Job), if any. */
export function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = isRecord(o.spec) ? o.spec : undefined;
  const template = spec && isRecord(spec.template) ? spec.template : undefined;
  return template && isRecord(template.spec) ? template.spec : undefined;
}

export function containersOf(o: K8sObject): Record<string, unknown>[] {
  const podSpec = podSpecOf(o);
  const list = podSpec?.containers;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function allContainers(objects: K8sObject[]): Record<string, unknown>[] {
  return objects.flatMap(containersOf);
}

/** A container's env as name -> value (only literal values; fieldRefs are left out). */
export function envOf(container: Record<string, unknown>): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of Array.isArray(container.env) ? container.env : []) {
    if (isRecord(e) && typeof e.name === 'string' && typeof e.value === 'string') env.set(e.name, e.value);
  }
  return env;
}
