// The operations guide's install, upgrade and troubleshooting sections against what they describe: the
// files, make targets, script flags, metrics and numbers they name must exist and agree.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { Obj } from '../deploy/kustomize.js';
import { anchors, ROOT } from './markdown.js';

const readme = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
const start = readme.indexOf('<!-- section:install -->');
const end = readme.indexOf('<!-- /section:install -->');
const section = readme.slice(start, end);

describe('docs/operations.md: install, upgrade, uninstall, troubleshooting', () => {
  it('has its sections', () => {
    assert.ok(start >= 0 && end > start, 'the install section is marked');
    for (const h of [
      '## Install',
      '## Opt a namespace in',
      '## Tune a workload',
      '## See what was injected',
      '## Upgrade notes',
      '## Uninstall',
      '## Troubleshooting',
    ]) {
      assert.ok(section.includes(`\n${h}\n`), h);
    }
  });

  it('links to files and headings that exist', () => {
    const known = anchors(readme);
    for (const [, target] of section.matchAll(/\]\(([^)]+)\)/g)) {
      const t = target;
      if (/^https?:/.test(t)) continue;
      if (t.startsWith('#')) assert.ok(known.has(t.slice(1)), `anchor ${t}`);
      else assert.ok(existsSync(join(ROOT, 'docs', t.split('#')[0])), `file ${t}`);
    }
    for (const [, path] of section.matchAll(/`((?:deploy|certs|scripts)\/[\w./-]*)/g)) {
      assert.ok(existsSync(join(ROOT, path)), `path ${path}`);
    }
  });

  it('names make targets and script flags that exist', () => {
    const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
    for (const [, target] of section.matchAll(/`make (\w+)/g)) {
      assert.match(makefile, new RegExp(`^${target}:`, 'm'), `make ${target}`);
    }
    for (const [, script, flag] of section.matchAll(/scripts\/(\w+\.sh) (--[\w-]+)/g)) {
      assert.ok(readFileSync(join(ROOT, 'scripts', script), 'utf8').includes(`${flag})`), `${script} ${flag}`);
    }
    for (const [, variable] of section.matchAll(/make \w+ (?:\w+=\S+ )*?(\w+)=/g)) {
      assert.match(makefile, new RegExp(`^${variable} \\?=`, 'm'), `make variable ${variable}`);
    }
  });

  it('names metrics the server exports', () => {
    const metrics = readFileSync(join(ROOT, 'src', 'metrics', 'metrics.ts'), 'utf8');
    const named = [...section.matchAll(/`(gracekeeper_[a-z_]+)/g)].map((m) => m[1]);
    assert.ok(named.length >= 5);
    for (const name of named) assert.ok(metrics.includes(`'${name}'`), `metric ${name}`);
  });

  it("states the Deployment's shutdown numbers and the default image as they are", () => {
    const deployment = parseYaml(readFileSync(join(ROOT, 'deploy', 'base', 'deployment.yaml'), 'utf8')) as Obj;
    const pod = deployment.spec.template.spec as Obj;
    const c = pod.containers[0] as Obj;
    for (const flag of (c.args as string[]).filter((a) => a.startsWith('--shutdown-'))) {
      assert.ok(section.includes(`\`${flag}\``), flag);
    }
    assert.ok(section.includes(`${c.lifecycle.preStop.sleep.seconds} s preStop sleep`));
    assert.ok(section.includes(`${pod.terminationGracePeriodSeconds} s grace period`));
    assert.ok(section.includes(`${deployment.spec.replicas} replicas`), `the number of replicas, ${deployment.spec.replicas}`);
    const img = /^IMG \?= (\S+)$/m.exec(readFileSync(join(ROOT, 'Makefile'), 'utf8'))?.[1] as string;
    assert.ok(section.includes(`\`${img}\``), `the default image ${img}`);
    const kustomization = parseYaml(readFileSync(join(ROOT, 'deploy', 'base', 'kustomization.yaml'), 'utf8')) as Obj;
    const image = kustomization.images[0] as Obj;
    assert.equal(`${image.newName}:${image.newTag}`, img, 'make deploy and kubectl apply -k deploy/ use the same image');
  });
});
