/**
 * The most any rule on stored baselines could catch in past `npm run bench:quality` runs without
 * a false alarm (see quality-ceiling.ts).
 *
 *   npx tsx bench/ceiling.ts .tmp/quality-suite/<run> [more runs…]
 */
import { printCeiling } from './quality-ceiling.js'
import { outDirArguments } from './quality-records.js'

printCeiling(outDirArguments())
