// The repository's root, from this file's place in it (bench/peers/).
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
