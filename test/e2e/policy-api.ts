// Whether the API server under test serves MutatingAdmissionPolicy v1 (Kubernetes 1.36 and newer,
// unless turned off): the baseline's tests run where it does, and check that nothing changes where
// it does not (1.35).
import type { ControlPlane } from './cluster.js';

export const MAP_V1 = 'admissionregistration.k8s.io/v1 MutatingAdmissionPolicy';

/** Reads the group version's discovery document and looks for the resource. */
export async function servesMutatingAdmissionPolicyV1(cp: Pick<ControlPlane, 'api'>): Promise<boolean> {
  const res = await cp.api<{ resources?: Array<{ name?: string }> }>('GET', '/apis/admissionregistration.k8s.io/v1');
  if (res.status !== 200) throw new Error(`discovery of admissionregistration.k8s.io/v1: ${res.status}`);
  return (res.body.resources ?? []).some((r) => r.name === 'mutatingadmissionpolicies');
}
