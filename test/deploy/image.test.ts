// The container image, without a Docker engine: the Dockerfile is read, checked (multi-stage,
// production dependencies only, non-root, an allowlist .dockerignore), and its stages are then
// performed in a temporary folder: WORKDIR, ENV, COPY (from the build context through
// .dockerignore, or --from another stage) and RUN as written. One substitution: the build stage's
// `npm ci` links the repository's node_modules (the same lock file) instead of installing again.
// Every stage runs on the image's Node.js major, the pinned build scripts/ensure-node.sh installs
// (./image-node.ts): first on PATH for the RUN steps (npm and tsc run on it), and as the distroless
// base's /nodejs/bin/node in the runtime stage's folder.
// The runtime stage's ENTRYPOINT is then started with the Deployment's own arguments and
// environment (ports made free, files put in a temporary folder), as user 65532 when the test
// runs as root, so that a write outside /tmp fails as on a read-only root filesystem; and the
// server is checked over HTTPS as the API server would call it, through to a graceful SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  linkSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../src/settings/duration.js';
import { imageNode } from './image-node.js';
import { ROOT, type Obj } from './kustomize.js';

// ---------------------------------------------------------------------------------------------
// Reading the Dockerfile

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  from: string;
  body: Instruction[];
}

function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (buffer === '' && (/^\s*#/.test(line) || line.trim() === '')) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(buffer);
    assert.ok(m, `Dockerfile line ${start}: cannot read ${JSON.stringify(buffer)}`);
    logical.push({ op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim(), line: start });
    buffer = '';
  });
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of logical) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = ins.args.split('=');
      args.set(k, v);
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM at line ${ins.line}`);
      const from = m[1].replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      stages.push({ name: m[2] ?? String(stages.length), from, body: [] });
    } else {
      assert.ok(stages.length > 0, `${ins.op} before FROM at line ${ins.line}`);
      (stages.at(-1) as Stage).body.push(ins);
    }
  }
  return { args, stages };
}

/** .dockerignore semantics for the patterns used here: last match wins, `!` re-includes. */
function dockerignored(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}(/.*)?$`,
    );
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}

function exec(ins: Instruction): string[] {
  const parsed = JSON.parse(ins.args) as unknown;
  assert.ok(Array.isArray(parsed) && parsed.every((s) => typeof s === 'string'), `exec form at line ${ins.line}`);
  return parsed;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignorePatterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const runtime = dockerfile.stages.at(-1) as Stage;
const stageByName = new Map(dockerfile.stages.map((s) => [s.name, s]));
const runs = (s: Stage) => s.body.filter((i) => i.op === 'RUN').map((i) => i.args.replace(/--mount=\S+\s*/g, ''));

describe('Dockerfile', () => {
  it('is multi-stage: TypeScript built with dev dependencies, production ones installed apart', () => {
    assert.ok(dockerfile.stages.length >= 2);
    const build = dockerfile.stages.find((s) => runs(s).some((r) => /\btsc\b/.test(r))) as Stage;
    assert.ok(build && build !== runtime, 'a build stage runs tsc');
    const npmCi = runs(build).find((r) => /npm ci\b/.test(r));
    assert.ok(npmCi && !/--omit=dev|--production/.test(npmCi), 'the build stage installs dev dependencies');
    const prod = dockerfile.stages.find((s) => runs(s).some((r) => /npm ci\b.*--omit=dev/.test(r)));
    assert.ok(prod && prod !== runtime, 'a stage installs production dependencies only (npm ci --omit=dev)');
  });

  it('runs from a small base, as the numeric non-root user 65532, with node_modules from production only', () => {
    assert.match(runtime.from, /^gcr\.io\/distroless\/nodejs\d+-debian\d+(:nonroot)?$|^node:\d+(-\w+)?-slim$/);
    const users = runtime.body.filter((i) => i.op === 'USER');
    assert.equal(users.at(-1)?.args, '65532:65532');
    assert.equal(runtime.body.filter((i) => i.op === 'RUN').length, 0, 'no RUN in the runtime stage (no shell, no npm)');
    const copies = runtime.body.filter((i) => i.op === 'COPY').map((i) => i.args);
    assert.ok(
      copies.every((c) => c.startsWith('--from=')),
      `only stage outputs: ${copies.join('; ')}`,
    );
    const modules = copies.find((c) => / \S*node_modules \S+$/.test(c)) as string;
    const from = stageByName.get(/--from=(\S+)/.exec(modules)?.[1] as string) as Stage;
    assert.ok(
      runs(from).some((r) => /--omit=dev/.test(r)),
      'node_modules comes from the --omit=dev stage',
    );
    const entry = exec(runtime.body.find((i) => i.op === 'ENTRYPOINT') as Instruction);
    assert.deepEqual(entry.slice(-2), ['dist/cli.js', 'serve']);
    assert.match(entry[0], /(^|\/)node$/);
  });

  it('sends only what it copies to the build: no keys, no node_modules, no .git', () => {
    for (const path of [
      'certs/tls.key',
      'certs/ca.key',
      'node_modules/yaml/package.json',
      'dist/cli.js',
      '.git/HEAD',
      'deploy/base/deployment.yaml',
      'test/deploy/image.test.ts',
      '.gracekeeper/ca.crt',
    ]) {
      assert.ok(dockerignored(ignorePatterns, path), `${path} is excluded`);
    }
    for (const stage of dockerfile.stages) {
      for (const copy of stage.body.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))) {
        for (const src of copy.args.split(' ').slice(0, -1)) {
          assert.ok(!dockerignored(ignorePatterns, posix.normalize(src)), `COPY ${src} (line ${copy.line}) is in the context`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Performing it

/** A free TCP port on the loopback interface. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Reply {
  status: number;
  body: string;
}

function get(url: string, ca?: Buffer, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const options = {
      method,
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      agent: false,
      timeout: 5000,
      // The name the API server dials: the certificate must be valid for it.
      ...(ca ? { ca, servername: 'gracekeeper.gracekeeper.svc' } : {}),
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const asRoot = process.getuid?.() === 0;
const USER = 65532;
const image = imageNode();

/** The distroless base's node, at the path the image has it: the cached build, linked (or copied) in. */
function provideBaseNode(root: string, from: string, node: string, version: string): void {
  const m = /^gcr\.io\/distroless\/nodejs(\d+)-/.exec(from);
  if (!m) return;
  assert.equal(m[1], version.split('.')[0], `${from} is the major of the Node.js this test runs (${version})`);
  const target = join(root, 'nodejs', 'bin', 'node');
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  try {
    linkSync(node, target);
  } catch {
    copyFileSync(node, target);
    chmodSync(target, 0o755);
  }
}

describe('the image, built and started in a temporary folder', { skip: 'skip' in image ? image.skip : false }, () => {
  const { node, version } = 'skip' in image ? { node: '', version: '' } : image;
  // The RUN steps find the image's node first on PATH (npm and npx are this machine's, run by it).
  const stagePath = `${dirname(node)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  let dir: string;
  const stageDirs = new Map<string, string>();
  let child: ChildProcess | undefined;
  let output = '';
  let stdout = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let ca: Buffer;
  let port = 0;
  let metricsPort = 0;
  let container: Obj;
  let grace = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-image-'));
    chmodSync(dir, 0o755);
  });
  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (process.env.GRACEKEEPER_KEEP_IMAGE_DIR) process.stderr.write(`image test folder kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it('performs every stage', { timeout: 180_000 }, () => {
    const onPath = spawnSync('sh', ['-c', 'node --version'], { encoding: 'utf8', env: { ...process.env, PATH: stagePath } });
    assert.equal(onPath.stdout.trim(), `v${version}`, "the RUN steps' node is the image's");
    for (const stage of dockerfile.stages) {
      const root = join(dir, 'stages', stage.name);
      let workdir = '/';
      const env: Record<string, string> = {};
      const host = (p: string) => join(root, posix.resolve(workdir, p));
      mkdirSync(root, { recursive: true, mode: 0o755 });
      provideBaseNode(root, stage.from, node, version);
      for (const ins of stage.body) {
        switch (ins.op) {
          case 'WORKDIR':
            workdir = posix.resolve(workdir, ins.args);
            mkdirSync(host('.'), { recursive: true, mode: 0o755 });
            break;
          case 'ENV': {
            const [k, ...v] = ins.args.split('=');
            env[k] = v.join('=');
            break;
          }
          case 'COPY': {
            const parts = ins.args.split(' ');
            const fromFlag = parts[0]?.startsWith('--from=') ? (parts.shift() as string).slice(7) : undefined;
            const dest = parts.pop() as string;
            for (const src of parts) {
              const target = dest.endsWith('/') ? join(host(dest), posix.basename(src)) : host(dest);
              if (fromFlag) {
                const fromRoot = stageDirs.get(fromFlag);
                assert.ok(fromRoot, `COPY --from=${fromFlag}: no such stage before line ${ins.line}`);
                cpSync(join(fromRoot, src), target, { recursive: true, dereference: true });
              } else {
                cpSync(join(ROOT, src), target, {
                  recursive: true,
                  filter: (s) => !dockerignored(ignorePatterns, posix.relative(ROOT, s) || '.'),
                });
              }
            }
            break;
          }
          case 'RUN': {
            const command = ins.args.replace(/--mount=\S+\s*/g, '');
            if (/^npm ci\b/.test(command) && !/--omit=dev/.test(command)) {
              // The build stage's full install: the repository has it already, from the same lock.
              assert.deepEqual(readFileSync(host('package-lock.json')), readFileSync(join(ROOT, 'package-lock.json')));
              symlinkSync(join(ROOT, 'node_modules'), host('node_modules'));
              break;
            }
            const r = spawnSync('sh', ['-c', command], {
              cwd: host('.'),
              encoding: 'utf8',
              timeout: 150_000,
              env: {
                ...process.env,
                ...env,
                PATH: stagePath,
                npm_config_prefer_offline: 'true',
                npm_config_update_notifier: 'false',
              },
            });
            assert.equal(r.status, 0, `stage ${stage.name}, line ${ins.line}: ${command}\n${r.stdout}\n${r.stderr}`);
            break;
          }
          case 'USER':
          case 'EXPOSE':
          case 'ENTRYPOINT':
          case 'CMD':
          case 'LABEL':
          case 'ARG':
            break;
          default:
            assert.fail(`Dockerfile line ${ins.line}: ${ins.op} is not performed by this test; teach it`);
        }
      }
      stageDirs.set(stage.name, root);
    }
    const app = join(stageDirs.get(runtime.name) as string, 'app');
    assert.deepEqual(readdirSync(app).sort(), ['dist', 'node_modules', 'package.json']);
    assert.ok(existsSync(join(app, 'dist', 'cli.js')));
  });

  it('holds the production dependencies and none of the dev ones', () => {
    const app = join(stageDirs.get(runtime.name) as string, 'app');
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean }>;
    };
    const entries = Object.entries(lock.packages).filter(([p]) => p.startsWith('node_modules/'));
    const dev = entries.filter(([, v]) => v.dev).map(([p]) => p);
    const prod = entries.filter(([, v]) => !v.dev && !v.optional).map(([p]) => p);
    assert.ok(dev.length > 0 && prod.length > 0);
    for (const p of dev) assert.ok(!existsSync(join(app, p)), `dev dependency ${p} is not in the image`);
    for (const p of prod) assert.ok(existsSync(join(app, p, 'package.json')), `${p} is in the image`);
  });

  it("starts with the Deployment's arguments and serves /healthz over HTTPS", { timeout: 60_000 }, async () => {
    const app = join(stageDirs.get(runtime.name) as string, 'app');
    const deployment = parseYaml(readFileSync(join(ROOT, 'deploy', 'base', 'deployment.yaml'), 'utf8')) as Obj;
    container = deployment.spec.template.spec.containers[0] as Obj;
    grace = deployment.spec.template.spec.terminationGracePeriodSeconds as number;

    // The certificates make deploy would put in the Secret, mounted as the pod has them.
    const certs = join(dir, 'certs');
    execFileSync('bash', [join(ROOT, 'scripts', 'certs.sh')], { env: { ...process.env, CERTS_DIR: certs }, stdio: 'ignore' });
    chmodSync(certs, 0o755);
    ca = readFileSync(join(certs, 'ca.crt'));
    const mounts: Record<string, string> = {};
    const tls = join(dir, 'mnt', 'tls');
    const config = join(dir, 'mnt', 'config');
    mkdirSync(tls, { recursive: true, mode: 0o755 });
    mkdirSync(config, { recursive: true, mode: 0o755 });
    for (const f of ['tls.crt', 'tls.key']) {
      cpSync(join(certs, f), join(tls, f));
      chmodSync(join(tls, f), 0o440); // the Secret volume's defaultMode, group = fsGroup 65532
      if (asRoot) chownSync(join(tls, f), 0, USER);
    }
    cpSync(join(ROOT, 'deploy', 'base', 'config.yaml'), join(config, 'config.yaml'));
    for (const m of container.volumeMounts as Obj[]) {
      mounts[m.mountPath] =
        m.mountPath === '/etc/gracekeeper/tls' ? tls : m.mountPath === '/etc/gracekeeper/config' ? config : '';
    }
    const tmp = join(dir, 'mnt', 'tmp');
    mkdirSync(tmp, { recursive: true, mode: 0o1777 });
    chmodSync(tmp, 0o1777);

    port = await freePort();
    metricsPort = await freePort();
    const args = (container.args as string[]).map((arg) => {
      if (arg.startsWith('--port=')) return `--port=${port}`;
      if (arg.startsWith('--metrics-port=')) return `--metrics-port=${metricsPort}`;
      for (const [mountPath, hostPath] of Object.entries(mounts)) {
        if (hostPath && arg.includes(`=${mountPath}/`)) return arg.replace(`=${mountPath}/`, `=${hostPath}/`);
      }
      assert.ok(!/=\/etc\//.test(arg), `argument ${arg} points at a file this test did not provide`);
      return arg;
    });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/nonexistent', // distroless' /home/nonroot, read-only in the pod
      TMPDIR: tmp,
      NODE_ENV: 'production',
    };
    for (const e of container.env as Obj[]) {
      env[e.name] = e.value ?? (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? 'gracekeeper' : '');
    }
    // The image's ENTRYPOINT, its /nodejs/bin/node the one provideBaseNode put in the stage's folder.
    const entry = exec(runtime.body.find((i) => i.op === 'ENTRYPOINT') as Instruction);
    const runtimeRoot = stageDirs.get(runtime.name) as string;
    assert.ok(entry[0]?.startsWith('/') && existsSync(join(runtimeRoot, entry[0])), `${entry[0]} is in the runtime stage`);
    const command = [join(runtimeRoot, entry[0]), ...entry.slice(1), ...args];
    child = spawn(command[0], command.slice(1), {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: USER, gid: USER } : {}),
    });
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      stdout += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const running = child;
    exit = new Promise((resolve) => running.on('exit', (code, signal) => resolve({ code, signal })));

    const deadline = Date.now() + 30_000;
    let last: string;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        assert.fail(`gracekeeper serve exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`);
      }
      try {
        const r = await get(`https://127.0.0.1:${port}/healthz`, ca);
        if (r.status === 200) break;
        last = `HTTP ${r.status}: ${r.body}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) assert.fail(`no healthy /healthz within 30s (${last}):\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('becomes ready, mutates a Pod, and exports metrics', { timeout: 30_000 }, async () => {
    assert.ok(child, 'the server is running');
    const deadline = Date.now() + 15_000;
    while ((await get(`https://127.0.0.1:${port}/readyz`, ca)).status !== 200) {
      if (Date.now() > deadline) assert.fail(`/readyz never became ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: '6a1e2c9e-image-test',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'test' },
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
        },
      },
    };
    const r = await get(`https://127.0.0.1:${port}/mutate`, ca, 'POST', JSON.stringify(review));
    assert.equal(r.status, 200, r.body);
    const response = (JSON.parse(r.body) as { response: Obj }).response;
    assert.equal(response.uid, review.request.uid);
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(response.patch as string, 'base64').toString('utf8')) as Obj[];
    assert.ok(
      patch.some((op) => JSON.stringify(op).includes('preStop')),
      JSON.stringify(patch),
    );

    const metrics = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^# (HELP|TYPE) /m);
    // prom-client's default metrics name the runtime that serves: the image's Node.js.
    assert.ok(metrics.body.includes(`nodejs_version_info{version="v${version}"`), `served by Node.js ${version}`);
  });

  it("on SIGTERM turns unready at once and exits 0 within the pod's grace period", { timeout: 60_000 }, async () => {
    assert.ok(child, 'the server is running');
    const flag = (name: string) =>
      parseDuration((container.args as string[]).find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? '') ?? 0;
    const preStop = (container.lifecycle?.preStop?.sleep?.seconds as number | undefined) ?? 0;
    const started = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const readyz = await get(`https://127.0.0.1:${port}/readyz`, ca);
    assert.notEqual(readyz.status, 200, '/readyz fails once SIGTERM arrived');
    assert.equal((await get(`https://127.0.0.1:${port}/healthz`, ca)).status, 200, 'requests are still served');
    const { code, signal } = await exit;
    const took = (Date.now() - started) / 1000;
    assert.equal(signal, null);
    assert.equal(code, 0, output);
    assert.ok(took >= flag('shutdown-delay') - 0.5, `served for --shutdown-delay (${took}s)`);
    assert.ok(preStop + took < grace, `preStop ${preStop}s + shutdown ${took}s < grace ${grace}s`);
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 0, 'it logs');
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `log lines are JSON: ${line}`);
  });
});
