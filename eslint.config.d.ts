// Types for eslint.config.js, for test/layers/layers.test.ts, which lints with its layer rules.
import type { Linter } from 'eslint';

export declare const layerRules: Linter.Config[];
declare const config: Linter.Config[];
export default config;
