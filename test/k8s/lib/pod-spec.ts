/**
 * What the netns pods test takes from the rendered manifests, so it runs what a cluster
 * would run: the StatefulSet's command, args, env, mounts and readiness probe, the
 * scripts ConfigMap's files, the Services' names and ports, and the client Job's
 * command and env.
 */
import { containersOf, envOf, isRecord, podSpecOf, type K8sObject, type ManifestSet } from './objects.js';
import { list, rec } from './problem.js';

export interface ServerPodSpec {
  setName: string;
  peerService: string;
  clientService: { name: string; port: number; targetPort: number };
  command: string[];
  args: string[];
  /** Literal env values of the server container. */
  env: Record<string, string>;
  readiness: string[];
  dataMountPath: string;
  scriptsMountPath: string;
  /** File name -> content, from the ConfigMap mounted at scriptsMountPath. */
  scripts: Record<string, string>;
  terminationGraceSeconds: number;
}

export interface ClientJobSpec {
  command: string[];
  env: Record<string, string>;
}

function find(set: ManifestSet, kind: string, name: string): K8sObject {
  const o = set.objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in ${set.source}`);
  return o;
}

function strings(v: unknown): string[] {
  return list(v).map(String);
}

function mountPathOf(container: Record<string, unknown>, volume: string): string {
  const m = list(container.volumeMounts).map(rec).find((x) => x.name === volume);
  if (!m) throw new Error(`no mount of volume ${volume}`);
  return String(m.mountPath);
}

function scriptsOf(set: ManifestSet, o: K8sObject, container: Record<string, unknown>): { mount: string; files: Record<string, string> } {
  for (const v of list(podSpecOf(o)?.volumes).map(rec)) {
    const cmName = rec(v.configMap).name;
    if (typeof cmName !== 'string') continue;
    const files = rec(find(set, 'ConfigMap', cmName).data) as Record<string, string>;
    return { mount: mountPathOf(container, String(v.name)), files };
  }
  throw new Error('no ConfigMap volume');
}

function containerNamed(o: K8sObject, name: string): Record<string, unknown> {
  const c = containersOf(o).find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

export function serverPodSpec(set: ManifestSet, app: string): ServerPodSpec {
  const sts = find(set, 'StatefulSet', app);
  const spec = rec(sts.spec);
  const container = containerNamed(sts, 'server');
  const claim = String(rec(rec(list(spec.volumeClaimTemplates)[0]).metadata).name);
  const client = find(set, 'Service', app);
  const clientPort = rec(list(rec(client.spec).ports)[0]);
  const containerPort = list(container.ports).map(rec).find((p) => p.name === clientPort.targetPort || p.containerPort === clientPort.targetPort);
  const scripts = scriptsOf(set, sts, container);
  return {
    setName: app,
    peerService: String(spec.serviceName),
    clientService: { name: app, port: Number(clientPort.port), targetPort: Number(containerPort?.containerPort) },
    command: strings(container.command),
    args: strings(container.args),
    env: Object.fromEntries(envOf(container)),
    readiness: strings(rec(rec(container.readinessProbe).exec).command),
    dataMountPath: mountPathOf(container, claim),
    scriptsMountPath: scripts.mount,
    scripts: scripts.files,
    terminationGraceSeconds: Number(podSpecOf(sts)?.terminationGracePeriodSeconds),
  };
}

export function clientJobSpec(set: ManifestSet, name: string): ClientJobSpec {
  const job = find(set, 'Job', name);
  const container = containersOf(job)[0];
  if (!isRecord(container)) throw new Error(`Job ${name} has no container`);
  return { command: strings(container.command), env: Object.fromEntries(envOf(container)) };
}
