/**
 * Broken fixtures: each file under test/k8s/fixtures/ names the check it must fail and
 * the patches that break the real manifests, so every fixture stays a one-defect copy of
 * what ships:
 *
 *   expect: headless-service
 *   patches:
 *     - target: Service/kvd-peers          # kind/name (a ConfigMap matches by name prefix,
 *       path: [spec, clusterIP]            #  since kustomize adds a hash)
 *       delete: true                       # or value: <anything>
 *
 * A path element that is a mapping ({name: LISTEN_ADDR}) picks the list item with that name.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isRecord, objectName, type K8sObject } from './objects.js';
import type { CheckName } from './problem.js';

export const FIXTURES_DIR = new URL('../fixtures/', import.meta.url).pathname;

type PathElement = string | number | { name: string };

interface Patch {
  target: string;
  path: PathElement[];
  value?: unknown;
  delete?: boolean;
}

export interface Fixture {
  file: string;
  expect: CheckName;
  patches: Patch[];
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, ...(parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')) as Omit<Fixture, 'file'>) }));
}

/** A deep copy of the objects with the fixture's patches applied. */
export function applyFixture(objects: K8sObject[], fixture: Fixture): K8sObject[] {
  const copy = structuredClone(objects);
  for (const patch of fixture.patches) {
    const [kind, name] = patch.target.split('/');
    const target = copy.find(
      (o) => o.kind === kind && (o.metadata?.name === name || (kind === 'ConfigMap' && String(o.metadata?.name).startsWith(`${name}-`))),
    );
    if (!target) throw new Error(`${fixture.file}: no object ${patch.target}`);
    setPath(target, patch, `${fixture.file}: ${objectName(target)}`);
  }
  return copy;
}

function step(container: unknown, key: PathElement, where: string): { parent: Record<string, unknown> | unknown[]; key: string | number } {
  if (typeof key === 'object') {
    if (!Array.isArray(container)) throw new Error(`${where}: {name: ${key.name}} needs a list`);
    const index = container.findIndex((item) => isRecord(item) && item.name === key.name);
    if (index < 0) throw new Error(`${where}: no list item named ${key.name}`);
    return { parent: container, key: index };
  }
  if (Array.isArray(container) && typeof key === 'number') return { parent: container, key };
  if (isRecord(container)) return { parent: container, key: String(key) };
  throw new Error(`${where}: cannot step into ${String(key)}`);
}

function setPath(root: K8sObject, patch: Patch, where: string): void {
  let node: unknown = root;
  const path = patch.path;
  for (let i = 0; i < path.length; i++) {
    const element = path[i] as PathElement;
    const { parent, key } = step(node, element, where);
    const slot = parent as Record<string | number, unknown>;
    if (i === path.length - 1) {
      if (patch.delete) {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete slot[key];
      } else {
        slot[key] = patch.value;
      }
      return;
    }
    if (slot[key] === undefined) slot[key] = {};
    node = slot[key];
  }
}
