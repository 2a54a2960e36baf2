/**
 * The shape a Raft StatefulSet needs: an odd replica count of at least 3, an explicit
 * pod management policy, a data volume from a claim template that holds DATA_DIR, time
 * to hand leadership over on SIGTERM, no service links (they would inject <APP>_* env
 * vars that the server reads as flags), resource requests, a readiness probe and a
 * preference to spread pods over nodes.
 */
import { list, problem, rec, type Problem } from './problem.js';
import { containersOf, envOf, podSpecOf, type K8sObject } from './objects.js';

const MIN_GRACE_SECONDS = 10;

export function checkStatefulSets(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  for (const sts of objects.filter((o) => o.kind === 'StatefulSet')) {
    const say = (message: string): void => void out.push(problem('statefulset', sts, message));
    const spec = rec(sts.spec);
    const pod = podSpecOf(sts) ?? {};
    const replicas = Number(spec.replicas);
    if (!(replicas >= 3 && replicas % 2 === 1)) say(`replicas ${String(spec.replicas)}: want an odd number >= 3`);
    if (spec.podManagementPolicy === undefined) say('podManagementPolicy is not set');
    if (!(Number(pod.terminationGracePeriodSeconds) >= MIN_GRACE_SECONDS))
      say(`terminationGracePeriodSeconds under ${MIN_GRACE_SECONDS}: no time to transfer leadership`);
    if (pod.enableServiceLinks !== false) say('enableServiceLinks is not false: service env vars would reach the server as flags');
    if (rec(rec(pod.affinity).podAntiAffinity).preferredDuringSchedulingIgnoredDuringExecution === undefined)
      say('no pod anti-affinity preference');
    const claims = list(spec.volumeClaimTemplates).map((t) => String(rec(rec(t).metadata).name));
    for (const c of containersOf(sts)) {
      if (rec(c.resources).requests === undefined) say(`container ${String(c.name)} has no resource requests`);
      if (c.readinessProbe === undefined) say(`container ${String(c.name)} has no readiness probe`);
      const dataDir = envOf(c).get('DATA_DIR');
      const mounts = list(c.volumeMounts).map(rec);
      const holding = mounts.find((m) => dataDir !== undefined && dataDir.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`));
      if (!holding) say(`DATA_DIR ${String(dataDir)} is not below any volume mount`);
      else if (!claims.includes(String(holding.name))) say(`DATA_DIR's volume ${String(holding.name)} is not a volumeClaimTemplate`);
    }
  }
  return out;
}
