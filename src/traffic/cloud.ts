// Which cloud a cluster runs on, from its Nodes' spec.providerID (set by each cloud's
// cloud-controller-manager), and which cloud the table uses: the cluster setting `cloud` when it
// names one, else what the edge learnt. Schemes, in docs/traffic-paths.md:
// aws:///zone/i-..., gce://project/zone/name, azure:///subscriptions/..., qcloud:///zone/ins-...;
// Alibaba's cloud-controller-manager writes <region>.<instance-id> (cn-hangzhou.i-...), with an
// alicloud:// scheme in some installs. Huawei CCE's format is not documented: not recognised.
import type { Cloud } from './types.js';

const SCHEMES: ReadonlyArray<[RegExp, Cloud]> = [
  [/^aws:\/\//, 'aws'],
  [/^gce:\/\//, 'gcp'],
  [/^azure:\/\//, 'azure'],
  [/^qcloud:\/\//, 'tencent'],
  [/^alicloud:\/\//, 'alibaba'],
  [/^[a-z]{2}(?:-[a-z0-9]+)+\.i-[a-z0-9]+$/, 'alibaba'],
];

/** The cloud a Node's spec.providerID names, if gracekeeper knows it. */
export function cloudOfProviderId(providerId: string | undefined): Cloud | undefined {
  if (!providerId) return undefined;
  return SCHEMES.find(([re]) => re.test(providerId))?.[1];
}

/** The cloud the table uses: the cluster setting when it names one, else the one learnt. */
export function effectiveCloud(setting: 'auto' | 'none' | Cloud, learnt: Cloud | undefined): Cloud | undefined {
  if (setting === 'none') return undefined;
  return setting === 'auto' ? learnt : setting;
}
