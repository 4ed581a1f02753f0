// `gracekeeper serve` flags and environment variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { flagDurationMs, parseServeArgs, SERVE_USAGE } from '../../src/cli/serve.js';

describe('gracekeeper serve flags', () => {
  it('has the documented defaults', () => {
    const options = parseServeArgs([], {});
    assert.ok(options !== 'help');
    assert.equal(options.port, 8443);
    assert.equal(options.metricsPort, 9090);
    assert.equal(options.shutdownDelayMs, 5000);
    assert.equal(options.shutdownTimeoutMs, 20_000);
    assert.equal(options.logLevel, 'info');
    assert.equal(options.tlsCertFile, undefined);
    assert.equal(options.configFile, undefined);
    assert.equal(options.kubeconfig, undefined);
    assert.equal(options.ownNamespace, undefined);
  });

  it('reads GRACEKEEPER_* variables and POD_NAMESPACE; flags win', () => {
    const env = {
      GRACEKEEPER_PORT: '9443',
      GRACEKEEPER_METRICS_PORT: '9100',
      GRACEKEEPER_CONFIG: '/etc/gk/config.yaml',
      GRACEKEEPER_TLS_CERT_FILE: '/tls/tls.crt',
      GRACEKEEPER_TLS_KEY_FILE: '/tls/tls.key',
      GRACEKEEPER_SHUTDOWN_DELAY: '7s',
      GRACEKEEPER_SHUTDOWN_TIMEOUT: '1m',
      GRACEKEEPER_LOG_LEVEL: 'debug',
      GRACEKEEPER_KUBECONFIG: '/kube/config',
      POD_NAMESPACE: 'gk-system',
    };
    const fromEnv = parseServeArgs([], env);
    assert.ok(fromEnv !== 'help');
    assert.deepEqual(
      [
        fromEnv.port,
        fromEnv.metricsPort,
        fromEnv.configFile,
        fromEnv.tlsCertFile,
        fromEnv.tlsKeyFile,
        fromEnv.shutdownDelayMs,
        fromEnv.shutdownTimeoutMs,
        fromEnv.logLevel,
        fromEnv.kubeconfig,
        fromEnv.ownNamespace,
      ],
      [9443, 9100, '/etc/gk/config.yaml', '/tls/tls.crt', '/tls/tls.key', 7000, 60_000, 'debug', '/kube/config', 'gk-system'],
    );
    const flags = parseServeArgs(
      ['--port', '1234', '--namespace', 'mine', '--shutdown-delay', '250ms', '--log-level', 'warn'],
      env,
    );
    assert.ok(flags !== 'help');
    assert.deepEqual([flags.port, flags.ownNamespace, flags.shutdownDelayMs, flags.logLevel], [1234, 'mine', 250, 'warn']);
    const ns = parseServeArgs([], { GRACEKEEPER_NAMESPACE: 'a', POD_NAMESPACE: 'b' });
    assert.ok(ns !== 'help');
    assert.equal(ns.ownNamespace, 'a');
  });

  it('parses durations', () => {
    assert.deepEqual(
      ['0', '2', '1.5', '500ms', '5s', '1m', '1m30s', '1h', '2.5s'].map((d) => flagDurationMs(d, 'x')),
      [0, 2000, 1500, 500, 5000, 60_000, 90_000, 3_600_000, 2500],
    );
    for (const bad of ['', 'soon', '5 s', '-1s', 'ms', '1d']) assert.throws(() => flagDurationMs(bad, 'x'), UsageError, bad);
  });

  it('rejects bad values with a usage error', () => {
    assert.throws(() => parseServeArgs(['--port', 'https'], {}), /--port "https"/);
    assert.throws(() => parseServeArgs(['--port', '70000'], {}), /--port/);
    assert.throws(() => parseServeArgs(['--log-level', 'loud'], {}), /--log-level "loud"/);
    assert.throws(() => parseServeArgs(['--tls-cert-file', 'a.crt'], {}), /must be given together/);
    assert.throws(() => parseServeArgs(['--shutdown-delay', 'soon'], {}), /--shutdown-delay/);
    assert.throws(() => parseServeArgs(['--nope'], {}), /nope/);
    assert.throws(() => parseServeArgs(['extra'], {}), /unexpected argument/);
  });

  it('--help describes every flag', () => {
    assert.equal(parseServeArgs(['--help'], {}), 'help');
    for (const flag of [
      '--port',
      '--metrics-port',
      '--tls-cert-file',
      '--tls-key-file',
      '--config',
      '--kubeconfig',
      '--namespace',
      '--shutdown-delay',
      '--shutdown-timeout',
      '--log-level',
      '--bind-address',
      '--self-signed-dir',
    ]) {
      assert.ok(SERVE_USAGE.includes(flag), flag);
    }
  });
});
