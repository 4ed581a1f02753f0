// The clouds gracekeeper tells apart (by a Node's spec.providerID, or the `cloud` setting): the
// settings validate against this list, the traffic table keys its default load balancers by it.

/** Clouds whose default load-balancer controllers the traffic table knows. */
export const CLOUDS = ['aws', 'gcp', 'azure', 'alibaba', 'tencent', 'huawei'] as const;
export type Cloud = (typeof CLOUDS)[number];
