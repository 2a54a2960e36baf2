/**
 * Layer 2 for semaphored (root only): its StatefulSet from the rendered manifests forms
 * one cluster as netns pods, and the semaphored-demo Deployment's container (the real
 * demo, with the manifest's env) runs its workers through the client Service name.
 * The start-up script's other cases are covered by pods.test.ts with kvd.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containersOf, envOf } from './lib/objects.js';
import { all, missingPrerequisite, PodCluster } from './lib/pod-cluster.js';
import { members } from './lib/pod-queries.js';

const skip = missingPrerequisite();
if (skip) console.log(`# SKIP test/k8s/pods-semaphored.test.ts: ${skip} (layer 2 of the Kubernetes tests runs as root only)`);

describe('semaphored StatefulSet and demo Deployment as netns pods', { skip: skip ?? false }, () => {
  let cluster: PodCluster;

  before(() => {
    cluster = new PodCluster('semaphored');
  });

  after(async () => {
    await cluster?.stop();
  });

  test('a parallel start forms one 3-member cluster', async () => {
    for (const i of all(3)) cluster.sim.create(i);
    await cluster.waitForLeader(all(3), 'all 3 semaphored pods to name the same leader');
    await cluster.waitForReady(all(3));
    assert.deepEqual(await members(cluster.sim, 0), all(3));
  });

  test('the demo workers share the semaphore through the client Service', async () => {
    cluster.publishService(all(3));
    const demo = cluster.rendered.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'semaphored-demo');
    const container = demo ? containersOf(demo)[0] : undefined;
    assert.ok(container, 'Deployment/semaphored-demo has a container');
    const command = [...(container.command as string[]), ...((container.args as string[] | undefined) ?? [])];
    // The Deployment runs forever (ROUNDS 0); here a few rounds, then the demo's own verdict.
    const env = { ...Object.fromEntries(envOf(container)), SEMAPHORED_DEMO_ROUNDS: '2', SEMAPHORED_DEMO_WORK_MS: '20' };
    const r = await cluster.runClient(command, env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /fence/i);
  });
});
