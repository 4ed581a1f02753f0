// Base images pinned by digest (issue 24). No registry is reachable from these machines, so the
// Dockerfile's base images are pinned by tag and docs/operations.md says so with the bump
// procedure. This check holds the line: a FROM with a digest needs a well-formed one; once one
// base image is pinned by digest, every base image must be (a tag alone is then a regression);
// and while none is, the documentation must name each tag as not yet pinned.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './kustomize.js';

export interface BaseImage {
  line: number;
  /** The reference with ARG defaults substituted, e.g. node:26-trixie-slim@sha256:... */
  ref: string;
  digest?: string;
}

/** The FROM lines that name an image (not an earlier stage), with ARG defaults substituted. */
export function baseImages(dockerfile: string): BaseImage[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: BaseImage[] = [];
  dockerfile.split('\n').forEach((text, i) => {
    const arg = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)/.exec(text);
    if (arg) args.set(arg[1], arg[2]);
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(text);
    if (!from) return;
    const ref = from[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args.get(name) ?? '');
    if (!stages.has(ref) && ref !== 'scratch') {
      const digest = /@(sha256:[^\s]*)$/.exec(ref)?.[1];
      images.push({ line: i + 1, ref, ...(digest ? { digest } : {}) });
    }
    if (from[2]) stages.add(from[2]);
  });
  return images;
}

/** What is wrong with the pinning, given the operations guide's text; empty when nothing is. */
export function pinningProblems(images: BaseImage[], guide: string): string[] {
  const problems: string[] = [];
  for (const image of images) {
    if (image.digest === undefined) continue;
    const hex = image.digest.slice('sha256:'.length);
    if (!/^[0-9a-f]{64}$/.test(hex)) problems.push(`line ${image.line}: ${image.digest} is not sha256:<64 hex digits>`);
    else if (/^(.)\1*$/.test(hex)) problems.push(`line ${image.line}: ${image.digest} is a placeholder, not a digest`);
  }
  const pinned = images.filter((i) => i.digest !== undefined);
  const tagOnly = images.filter((i) => i.digest === undefined);
  if (pinned.length > 0) {
    for (const i of tagOnly)
      problems.push(`line ${i.line}: ${i.ref} is pinned by tag only, while other base images have digests`);
  } else {
    for (const i of tagOnly) {
      if (!guide.includes(`\`${i.ref.replace(/^docker\.io\/(library\/)?/, '')}\``))
        problems.push(`line ${i.line}: ${i.ref} is pinned by tag only and docs/operations.md does not name it`);
    }
    if (tagOnly.length > 0 && !/not yet by digest/.test(guide))
      problems.push('docs/operations.md does not say the base images are not yet pinned by digest');
  }
  return problems;
}

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('base images: pinned by digest, or the tag documented as not yet pinned', () => {
  it("the repository's Dockerfile and docs/operations.md", () => {
    const images = baseImages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    assert.deepEqual(
      images.map((i) => i.ref.replace(/@.*/, '')),
      ['node:26-trixie-slim', 'node:26-trixie-slim', 'gcr.io/distroless/nodejs26-debian13:nonroot'],
    );
    assert.deepEqual(pinningProblems(images, readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8')), []);
  });

  it('refuses a tag-only FROM once another is pinned, a malformed digest and a placeholder', () => {
    const mixed = baseImages(
      `ARG V=26\nFROM node:\${V}-slim@${DIGEST} AS build\nFROM build\nFROM distroless/nodejs\${V}:nonroot\n`,
    );
    assert.deepEqual(
      mixed.map((i) => i.ref),
      [`node:26-slim@${DIGEST}`, 'distroless/nodejs26:nonroot'],
    );
    assert.deepEqual(pinningProblems(mixed, ''), [
      'line 4: distroless/nodejs26:nonroot is pinned by tag only, while other base images have digests',
    ]);
    assert.match(pinningProblems(baseImages('FROM node:26@sha256:abc\n'), '')[0], /is not sha256:<64 hex digits>/);
    assert.match(pinningProblems(baseImages(`FROM node:26@sha256:${'0'.repeat(64)}\n`), '')[0], /placeholder/);
    assert.deepEqual(pinningProblems(baseImages(`FROM node:26@${DIGEST}\nFROM gcr.io/x:y@${DIGEST}\n`), ''), []);
  });

  it('refuses tag-only images the guide does not name as not yet pinned', () => {
    const images = baseImages('FROM node:26-trixie-slim\n');
    assert.equal(pinningProblems(images, 'pinned by tag (`node:26-trixie-slim`), not yet by digest').length, 0);
    assert.deepEqual(pinningProblems(images, 'nothing about it'), [
      'line 1: node:26-trixie-slim is pinned by tag only and docs/operations.md does not name it',
      'docs/operations.md does not say the base images are not yet pinned by digest',
    ]);
  });
});
