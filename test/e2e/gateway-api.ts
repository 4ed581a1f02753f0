// The Gateway API's standard CRDs for the e2e suite, from the sigs.k8s.io/gateway-api module at
// GATEWAY_API_VERSION: downloaded through the Go module proxy (`go mod download`) and copied into
// ${GRACEKEEPER_CACHE:-~/.cache/gracekeeper}/gateway-api-<version>/, once.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const GATEWAY_API_VERSION = 'v1.6.3';

/** The directory of the standard CRDs' YAML files (HTTPRoute, GRPCRoute, Gateway, GatewayClass, ...). */
export function gatewayApiCrds(): string {
  const version = GATEWAY_API_VERSION;
  const dir = join(process.env.GRACEKEEPER_CACHE ?? join(homedir(), '.cache', 'gracekeeper'), `gateway-api-${version}`);
  if (existsSync(join(dir, 'crds'))) return join(dir, 'crds');
  const out = execFileSync(process.env.GO ?? 'go', ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@${version}`], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  const source = join((JSON.parse(out) as { Dir: string }).Dir, 'config', 'crd', 'standard');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `crds.tmp-${process.pid}`);
  cpSync(source, tmp, { recursive: true });
  renameSync(tmp, join(dir, 'crds'));
  return join(dir, 'crds');
}

/** The CRD files of the kinds gracekeeper watches, as YAML text. */
export function gatewayApiCrdYaml(): string {
  const dir = gatewayApiCrds();
  return readdirSync(dir)
    .filter((f) => /_(httproutes|grpcroutes|gateways|gatewayclasses)\.yaml$/.test(f))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n---\n');
}
