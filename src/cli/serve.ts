// `gracekeeper serve`: placeholder until the webhook server lands (issue 3). Not a finished feature.
export async function runServe(_argv: string[]): Promise<number> {
  process.stderr.write('gracekeeper serve: the webhook server is not built yet (see issue 3)\n');
  return 1;
}
