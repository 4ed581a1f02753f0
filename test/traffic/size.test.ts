// pre-stop-sleep auto's arithmetic: the largest of propagationDelay and every path's delay, where a
// path whose clock starts only once the cluster has learnt of the pod's end adds propagationDelay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoSleep, decidedBy, pathSeconds } from '../../src/traffic/size.js';
import type { TrafficPath } from '../../src/traffic/types.js';

const path = (family: string, delay: number, afterPropagation?: true): TrafficPath => ({
  family,
  object: `Service/${family}`,
  delay,
  ...(afterPropagation ? { afterPropagation } : {}),
  reason: 'test',
});

describe('auto sleep sizing', () => {
  it('adds propagationDelay to a path told by the cluster, and only to it', () => {
    assert.equal(pathSeconds(path('aws-nlb-instance', 20, true), 5), 25);
    assert.equal(pathSeconds(path('ingress-nginx', 5), 5), 5);
    assert.equal(pathSeconds(path('aws-nlb-instance', 0, true), 5), 0, 'a path that takes no time adds nothing');
  });

  it('is propagationDelay when no path takes longer, and names nothing then', () => {
    const decision = autoSleep([path('ingress-nginx', 5), path('cloud-lb', 0, true)], 5);
    assert.deepEqual(decision, { seconds: 5 });
    assert.equal(decidedBy(decision), 'propagationDelay');
  });

  it('picks the slowest path, the first of equals', () => {
    const a = path('gke-instance-groups', 24, true);
    const b = path('trafficPaths[0]', 29);
    const c = path('envoy-gateway', 5);
    assert.equal(autoSleep([c, a, b], 5).path, a, '24 + 5 ties with 29: the first wins');
    assert.equal(autoSleep([c, b, a], 5).path, b);
    assert.equal(autoSleep([c, a, b], 10).seconds, 34);
    assert.equal(decidedBy(autoSleep([a], 5)), 'Service/gke-instance-groups (gke-instance-groups)');
  });
});
