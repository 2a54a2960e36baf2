/**
 * Cross-reference checks of a manifest set: what a schema cannot see, because it is about
 * how the objects point at each other. Each check returns Problems; an empty list means
 * the set passes. Every check has a broken fixture under test/k8s/fixtures/.
 */
import { containersOf, envOf, objectName, podSpecOf, type K8sObject } from './objects.js';
import { checkStatefulSets } from './statefulset-check.js';
import { list, problem, rec, type Problem, type Rec } from './problem.js';

const labelsOf = (v: unknown): Record<string, string> => rec(v) as Record<string, string>;

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const nameOf = (o: K8sObject): string => String(o.metadata?.name);
const workloads = (objects: K8sObject[]): K8sObject[] =>
  objects.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment' || o.kind === 'Job');

function templateLabels(o: K8sObject): Record<string, string> {
  return labelsOf(rec(rec(rec(o.spec).template).metadata).labels);
}

/** True when every selector pair is among the labels (and the selector is not empty). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}


function checkSelectorLabels(objects: K8sObject[]): Problem[] {
  return objects
    .filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment')
    .filter((o) => !selects(labelsOf(rec(rec(o.spec).selector).matchLabels), templateLabels(o)))
    .map((o) => problem('selector-labels', o, 'spec.selector.matchLabels does not match the pod template labels'));
}

function checkServiceSelectors(objects: K8sObject[]): Problem[] {
  return byKind(objects, 'Service')
    .filter((svc) => !workloads(objects).some((w) => selects(labelsOf(rec(svc.spec).selector), templateLabels(w))))
    .map((svc) => problem('service-selector', svc, 'its selector matches no workload pod template: no endpoints'));
}

function service(objects: K8sObject[], name: string): K8sObject | undefined {
  return byKind(objects, 'Service').find((s) => nameOf(s) === name);
}

function checkHeadlessServices(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  for (const sts of byKind(objects, 'StatefulSet')) {
    const name = String(rec(sts.spec).serviceName ?? '');
    const svc = service(objects, name);
    const spec = rec(svc?.spec);
    if (!svc) out.push(problem('headless-service', sts, `serviceName '${name}' names no Service`));
    else if (spec.clusterIP !== 'None') out.push(problem('headless-service', sts, `Service ${name} is not headless`));
    else if (spec.publishNotReadyAddresses !== true)
      out.push(problem('headless-service', sts, `Service ${name} lacks publishNotReadyAddresses: peers cannot resolve unready pods`));
    else if (!selects(labelsOf(spec.selector), templateLabels(sts)))
      out.push(problem('headless-service', sts, `Service ${name} does not select this StatefulSet's pods`));
    for (const c of containersOf(sts)) {
      const peer = envOf(c).get('PEER_SERVICE');
      if (peer !== undefined && peer !== name)
        out.push(problem('headless-service', sts, `PEER_SERVICE '${peer}' differs from serviceName '${name}'`));
    }
  }
  return out;
}

function containerPorts(c: Rec): { name?: string; port: number }[] {
  return list(c.ports).map(rec).map((p) => ({ name: typeof p.name === 'string' ? p.name : undefined, port: Number(p.containerPort) }));
}

function resolvesTo(target: unknown, c: Rec): number | undefined {
  const ports = containerPorts(c);
  const hit = typeof target === 'string' ? ports.find((p) => p.name === target) : ports.find((p) => p.port === target);
  return hit?.port;
}

/** The port in LISTEN_ADDR, and in any --addr/-a among the args. */
function listenPorts(c: Rec): number[] {
  const ports: number[] = [];
  const listen = envOf(c).get('LISTEN_ADDR');
  if (listen !== undefined) ports.push(Number(listen.split(':').pop()));
  const args = [...list(c.command), ...list(c.args)].map(String);
  args.forEach((a, i) => {
    const value = a === '--addr' || a === '-a' ? args[i + 1] : a.startsWith('--addr=') ? a.slice(7) : undefined;
    if (value !== undefined) ports.push(Number(value.split(':').pop()));
  });
  return ports;
}

function checkPorts(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  for (const sts of byKind(objects, 'StatefulSet')) {
    for (const c of containersOf(sts)) {
      const ports = listenPorts(c);
      if (ports.length === 0) out.push(problem('ports', sts, `container ${String(c.name)} sets no listen address`));
      for (const p of ports) {
        if (!containerPorts(c).some((cp) => cp.port === p))
          out.push(problem('ports', sts, `listen port ${p} is not a containerPort of ${String(c.name)}`));
      }
      const probe = rec(c.readinessProbe);
      const probePort = rec(probe.tcpSocket).port ?? rec(probe.httpGet).port;
      if (probePort !== undefined && resolvesTo(probePort, c) === undefined)
        out.push(problem('ports', sts, `readiness probe port ${String(probePort)} is not a containerPort`));
    }
  }
  for (const svc of byKind(objects, 'Service')) out.push(...servicePortProblems(objects, svc));
  return out;
}

function servicePortProblems(objects: K8sObject[], svc: K8sObject): Problem[] {
  const out: Problem[] = [];
  const spec = rec(svc.spec);
  const selected = workloads(objects).filter((w) => selects(labelsOf(spec.selector), templateLabels(w)));
  for (const p of list(spec.ports).map(rec)) {
    const target = p.targetPort ?? p.port;
    for (const w of selected) {
      const resolved = containersOf(w).map((c) => resolvesTo(target, c)).find((x) => x !== undefined);
      if (resolved === undefined) {
        out.push(problem('ports', svc, `targetPort ${String(target)} is no container port of ${objectName(w)}`));
      } else if (spec.clusterIP === 'None' && p.port !== resolved) {
        out.push(problem('ports', svc, `headless port ${String(p.port)} differs from the pods' port ${resolved}`));
      }
    }
  }
  return out;
}

/** Paths under a ConfigMap mount that a container runs must be keys of that ConfigMap. */
function checkConfigRefs(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  const configMaps = new Map(byKind(objects, 'ConfigMap').map((cm) => [nameOf(cm), Object.keys(rec(cm.data))]));
  for (const w of workloads(objects)) {
    const volumes = new Map<string, string>();
    for (const v of list(podSpecOf(w)?.volumes).map(rec)) {
      const cmName = rec(v.configMap).name;
      if (typeof cmName !== 'string') continue;
      if (!configMaps.has(cmName)) out.push(problem('config-refs', w, `volume ${String(v.name)} names no ConfigMap '${cmName}'`));
      volumes.set(String(v.name), cmName);
    }
    for (const c of containersOf(w)) {
      const words = [...list(c.command), ...list(c.args), ...list(rec(rec(c.readinessProbe).exec).command)].map(String);
      for (const m of list(c.volumeMounts).map(rec)) {
        const cmName = volumes.get(String(m.name));
        if (cmName === undefined) continue;
        const dir = `${String(m.mountPath).replace(/\/$/, '')}/`;
        for (const word of words.filter((x) => x.startsWith(dir))) {
          if (!(configMaps.get(cmName) ?? []).includes(word.slice(dir.length)))
            out.push(problem('config-refs', w, `${word} is not a key of ConfigMap ${cmName}`));
        }
      }
    }
  }
  return out;
}

interface ClientAddress {
  /** Where it was found, for messages: `KVD_HOST`, `SEMAPHORED_DEMO_ADDR`, `--addr`. */
  source: string;
  host: string;
  port: string | undefined;
}

/** The addresses a client container names: X_HOST with X_PORT, X_ADDR=host:port, --addr. */
function clientAddresses(c: Rec): ClientAddress[] {
  const env = envOf(c);
  const out: ClientAddress[] = [];
  const split = (source: string, value: string): ClientAddress => {
    const at = value.lastIndexOf(':');
    return at < 0 ? { source, host: value, port: undefined } : { source, host: value.slice(0, at), port: value.slice(at + 1) };
  };
  for (const [key, value] of env) {
    if (key.endsWith('_HOST')) out.push({ source: key, host: value, port: env.get(`${key.slice(0, -5)}_PORT`) });
    if (key.endsWith('_ADDR')) out.push(split(key, value));
  }
  const args = [...list(c.command), ...list(c.args)].map(String);
  args.forEach((a, i) => {
    const next = args[i + 1];
    if ((a === '--addr' || a === '-a') && next !== undefined) out.push(split(a, next));
  });
  return out;
}

/** Client workloads' addresses must name a client Service, one of its ports, and server pods behind it. */
function checkClientAddresses(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  for (const w of workloads(objects).filter((o) => o.kind !== 'StatefulSet')) {
    for (const { source, host, port } of containersOf(w).flatMap(clientAddresses)) {
      const svc = service(objects, host.split('.')[0] ?? '');
      const spec = rec(svc?.spec);
      const say = (message: string): void => void out.push(problem('client-address', w, `${source}: ${message}`));
      if (!svc) say(`${host} names no Service`);
      else if (spec.clusterIP === 'None') say(`${host} is the headless peer Service, not a client Service`);
      else if (port === undefined || !list(spec.ports).some((p) => String(rec(p).port) === port))
        say(`port ${String(port)} is not a port of Service ${host}`);
      else if (!byKind(objects, 'StatefulSet').some((s) => selects(labelsOf(spec.selector), templateLabels(s))))
        say(`Service ${host} selects no server pods`);
    }
  }
  return out;
}

function checkPdbs(objects: K8sObject[]): Problem[] {
  const out: Problem[] = [];
  const pdbs = byKind(objects, 'PodDisruptionBudget');
  for (const pdb of pdbs) {
    const spec = rec(pdb.spec);
    if (spec.maxUnavailable !== 1) out.push(problem('pdb', pdb, `maxUnavailable is ${String(spec.maxUnavailable)}, want 1`));
    const selector = labelsOf(rec(spec.selector).matchLabels);
    if (!byKind(objects, 'StatefulSet').some((s) => selects(selector, templateLabels(s))))
      out.push(problem('pdb', pdb, 'its selector matches no StatefulSet pod template'));
  }
  for (const sts of byKind(objects, 'StatefulSet')) {
    const covering = pdbs.filter((p) => selects(labelsOf(rec(rec(p.spec).selector).matchLabels), templateLabels(sts)));
    if (covering.length !== 1) out.push(problem('pdb', sts, `covered by ${covering.length} PodDisruptionBudgets, want 1`));
  }
  return out;
}

/** Every cross-check (schema and unknown fields are separate: see schema.ts). */
export function crossCheckProblems(objects: K8sObject[]): Problem[] {
  return [
    ...checkSelectorLabels(objects),
    ...checkServiceSelectors(objects),
    ...checkHeadlessServices(objects),
    ...checkPorts(objects),
    ...checkConfigRefs(objects),
    ...checkClientAddresses(objects),
    ...checkPdbs(objects),
    ...checkStatefulSets(objects),
  ];
}
