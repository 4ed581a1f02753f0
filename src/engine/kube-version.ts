// The API server's version: one parser for every form it comes in (a --kube-version flag, the
// /version endpoint's major/minor or gitVersion), and the comparison the rules make with it.

export interface KubeVersion {
  major: number;
  minor: number;
}

/** "1.29", "v1.29.3", "v1.30.2-gke.1" into major/minor; undefined for anything else. */
export function parseKubeVersion(text: string): KubeVersion | undefined {
  const match = /^v?(\d{1,4})\.(\d{1,4})(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/**
 * The version from /version's fields: major and minor when they are numbers ("30+" counts as 30,
 * as some providers write it), else the gitVersion.
 */
export function versionFromInfo(info: { major?: string; minor?: string; gitVersion?: string }): KubeVersion | undefined {
  const major = Number.parseInt(info.major ?? '', 10);
  const minor = Number.parseInt(info.minor ?? '', 10);
  if (Number.isInteger(major) && Number.isInteger(minor) && major > 0) return { major, minor };
  return parseKubeVersion(info.gitVersion ?? '');
}

/** Whether `version` is `min` or newer; an unknown version counts as the newest. */
export function atLeast(version: KubeVersion | undefined, min: KubeVersion): boolean {
  if (version === undefined) return true;
  return version.major > min.major || (version.major === min.major && version.minor >= min.minor);
}

/**
 * The Kubernetes releases gracekeeper is tested on (the e2e suite's K8S_RELEASE matrix: 1.35, 1.36,
 * 1.37). An API server outside them is served all the same; `serve` logs a warning once per version.
 */
export const TESTED_RELEASES = { oldest: { major: 1, minor: 35 }, newest: { major: 1, minor: 37 } } as const;

/** The warning for an API server outside TESTED_RELEASES, or undefined within them. */
export function untestedReleaseWarning(version: KubeVersion): string | undefined {
  const { oldest, newest } = TESTED_RELEASES;
  const name = (v: KubeVersion): string => `${v.major}.${v.minor}`;
  const range = `${name(oldest)} to ${name(newest)}`;
  if (!atLeast(version, oldest)) {
    return `Kubernetes ${name(version)} is older than the releases gracekeeper is tested on (${range}); upgrade the cluster`;
  }
  if (!atLeast(newest, { major: version.major, minor: version.minor })) {
    return `Kubernetes ${name(version)} is newer than the releases gracekeeper is tested on (${range})`;
  }
  return undefined;
}
