/** What a manifest check reports, and small readers for parsed YAML. */
import { isRecord, objectName, type K8sObject } from './objects.js';

export type CheckName =
  | 'schema'
  | 'unknown-field'
  | 'selector-labels'
  | 'service-selector'
  | 'headless-service'
  | 'ports'
  | 'config-refs'
  | 'client-address'
  | 'pdb'
  | 'statefulset';

export interface Problem {
  check: CheckName;
  object: string;
  message: string;
}

export type Rec = Record<string, unknown>;
export const rec = (v: unknown): Rec => (isRecord(v) ? v : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export function problem(check: CheckName, o: K8sObject, message: string): Problem {
  return { check, object: objectName(o), message };
}
