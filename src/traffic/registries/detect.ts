// Which registry a container registers in, read from its literal environment and `-D` properties,
// and the wait it is configured with. A container whose registration is turned off
// (`register-with-eureka: false`, `register-enabled: false`) only consumes: it is not detected.
import type { Container } from '../../kube/pod-types.js';
import { DETECTED, FRAMEWORKS, type Framework, type Property, type RegistryName } from './frameworks.js';
import { literalEnv, systemProperties } from './java-props.js';

export interface Finding {
  container: string;
  framework: Framework;
  /** Seconds the app waits after leaving, as configured in the template; undefined: not said there. */
  configuredWait?: number;
}

interface Sources {
  env: Map<string, string>;
  props: Map<string, string>;
}

/** What one container says about a property: the -D value wins over the env var (as in Spring). */
function read(sources: Sources, property: Property): string | undefined {
  for (const p of property.properties) {
    const v = sources.props.get(p);
    if (v !== undefined) return v;
  }
  for (const e of property.env) {
    const v = sources.env.get(e);
    if (v !== undefined) return v;
  }
  return undefined;
}

function registers(sources: Sources, framework: Framework): boolean {
  const detect = framework.detect;
  if (!detect) return false;
  const address = read(sources, detect.register)?.trim();
  // Dubbo's "N/A" is its documented way to say: no registry.
  if (!address || address.toUpperCase() === 'N/A') return false;
  const off = detect.off ? read(sources, detect.off) : undefined;
  return off?.trim().toLowerCase() !== 'false';
}

/** The wait the template configures, in whole seconds (rounded up); undefined when absent or unreadable. */
function configuredWait(sources: Sources, framework: Framework): number | undefined {
  const setting = framework.waitSetting;
  if (!setting) return undefined;
  const raw = read(sources, setting)?.trim();
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return undefined;
  const n = Number.parseInt(raw, 10);
  return setting.unit === 'ms' ? Math.ceil(n / 1000) : n;
}

/** The registry each container uses: `named` (from gracekeeper.io/registry) or detected. */
export function findRegistries(containers: readonly Container[], named: RegistryName | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const c of containers) {
    const env = literalEnv(c);
    const sources: Sources = { env, props: systemProperties(c, env) };
    const framework = named ? FRAMEWORKS[named] : DETECTED.find((f) => registers(sources, f));
    if (!framework) continue;
    const wait = configuredWait(sources, framework);
    findings.push({ container: c.name, framework, ...(wait !== undefined ? { configuredWait: wait } : {}) });
  }
  return findings;
}
