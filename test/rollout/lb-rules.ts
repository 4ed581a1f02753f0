// The data path of the emulated load balancer (lb.ts), in the kernel as a cloud's network load
// balancer forwards flows: a nat chain that sends each new connection for the load balancer's
// address to one of its targets at random (as kube-proxy's iptables mode does for a Service),
// replaced in one `iptables-restore --noflush` whenever the targets change; established
// connections keep their conntrack entry, so their target. With no target the chain is empty
// and connections go to the address itself, where nothing listens: refused.

/** The rules of `chain` for `targets` (address:port), as iptables-restore input for the nat table. */
export function renderChain(chain: string, targets: readonly string[]): string {
  const rules = targets.map((t, i) => {
    const left = targets.length - i;
    const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
    return `-A ${chain} -p tcp ${pick}-j DNAT --to-destination ${t}`;
  });
  return ['*nat', `:${chain} - [0:0]`, ...rules, 'COMMIT', ''].join('\n');
}

/** The rule that sends locally made connections for `vip:port` into `chain` (nat OUTPUT). */
export function hookRule(chain: string, vip: string, port: number): string[] {
  return ['OUTPUT', '-d', `${vip}/32`, '-p', 'tcp', '--dport', String(port), '-j', chain];
}

/** Packets (new connections: the nat table sees only the first packet of each) per target of
 * `chain`, from `iptables-save -c -t nat`. */
export function parseCounters(save: string, chain: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^\\[(\\d+):\\d+\\] -A ${chain} .*--to-destination (\\S+)`);
  for (const line of save.split('\n')) {
    const m = re.exec(line);
    if (m) out.set(m[2], (out.get(m[2]) ?? 0) + Number(m[1]));
  }
  return out;
}
