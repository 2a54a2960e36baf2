/**
 * Layer 1 of the Kubernetes tests: the manifests, checked offline. Every object (the raw
 * files and the kustomize output) must pass kubernetes-models' schemas, carry no unknown
 * field, and pass the cross-reference checks; every broken fixture must fail the check
 * it names.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossCheckProblems } from './lib/checks.js';
import { applyFixture, loadFixtures } from './lib/fixtures.js';
import {
  MANIFESTS_DIR,
  assembleKustomization,
  kubectlAvailable,
  kustomizeWithKubectl,
  loadKustomization,
  objectName,
  type K8sObject,
} from './lib/objects.js';
import type { CheckName, Problem } from './lib/problem.js';
import { schemaProblems, unknownFieldProblems } from './lib/schema.js';

const hasKubectl = kubectlAvailable();
const rendered = loadKustomization();

const HASHED = /^(.*respraft-scripts)-\w+$/;

/** Keys sorted and generated names without their hash, so two renderings compare. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'string') return value.replace(HASHED, '$1');
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

async function allProblems(objects: K8sObject[]): Promise<Problem[]> {
  return [...(await schemaProblems(objects)), ...unknownFieldProblems(objects), ...crossCheckProblems(objects)];
}

function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.check} ${p.object}: ${p.message}`).join('\n');
}

describe(`manifests (${rendered.source})`, () => {
  test('render to the objects a deployment needs', () => {
    const names = rendered.objects.map(objectName).map((n) => n.replace(/^(ConfigMap\/respraft-scripts).*/, '$1')).sort();
    assert.deepEqual(names, [
      'ConfigMap/respraft-scripts',
      'Deployment/semaphored-demo',
      'Job/kvd-client',
      'PodDisruptionBudget/kvd',
      'PodDisruptionBudget/semaphored',
      'Service/kvd',
      'Service/kvd-peers',
      'Service/semaphored',
      'Service/semaphored-peers',
      'StatefulSet/kvd',
      'StatefulSet/semaphored',
    ]);
    for (const o of rendered.objects) assert.equal(o.metadata?.labels && (o.metadata.labels as Record<string, string>)['app.kubernetes.io/part-of'], 'respraft', objectName(o));
  });

  test('pass schemas, have no unknown fields and pass every cross-check', async () => {
    const problems = await allProblems(rendered.objects);
    assert.equal(describeProblems(problems), '');
  });

  test('the raw files (before kustomize) pass too', async () => {
    const raw = assembleKustomization(MANIFESTS_DIR);
    assert.equal(describeProblems(await allProblems(raw.objects)), '');
  });

  test('the ConfigMap carries the scripts byte for byte', () => {
    const cm = rendered.objects.find((o) => o.kind === 'ConfigMap');
    const data = (cm?.data ?? {}) as Record<string, string>;
    for (const file of ['start.sh', 'raft-lib.sh', 'raft.sh', 'kvd-client.sh']) {
      assert.equal(data[file], readFileSync(join(MANIFESTS_DIR, 'scripts', file), 'utf8'), file);
    }
  });

  test('the own kustomize subset renders what kubectl kustomize renders', { skip: !hasKubectl && 'kubectl is not installed' }, () => {
    const byName = (objects: K8sObject[]): Map<string, unknown> =>
      new Map(objects.map((o) => [objectName(o).replace(HASHED, '$1'), canonical(o)]));
    assert.deepEqual(byName(assembleKustomization(MANIFESTS_DIR).objects), byName(kustomizeWithKubectl(MANIFESTS_DIR).objects));
  });
});

describe('broken fixtures fail the check they name', () => {
  const fixtures = loadFixtures();
  test('every check has at least one fixture', () => {
    const covered = new Set(fixtures.map((f) => f.expect));
    const all: CheckName[] = ['schema', 'unknown-field', 'selector-labels', 'service-selector', 'headless-service', 'ports', 'config-refs', 'client-address', 'pdb', 'statefulset'];
    assert.deepEqual(all.filter((c) => !covered.has(c)), []);
  });
  /** Only the family of checks a fixture targets: a TypeScript program per fixture is slow. */
  async function problemsFor(expect: CheckName, objects: K8sObject[]): Promise<Problem[]> {
    if (expect === 'schema') return schemaProblems(objects);
    if (expect === 'unknown-field') return unknownFieldProblems(objects);
    return crossCheckProblems(objects);
  }
  for (const fixture of fixtures) {
    test(fixture.file, async () => {
      const problems = await problemsFor(fixture.expect, applyFixture(rendered.objects, fixture));
      const hits = problems.filter((p) => p.check === fixture.expect);
      assert.ok(hits.length > 0, `expected a '${fixture.expect}' problem; got:\n${describeProblems(problems) || '(none)'}`);
    });
  }
});
