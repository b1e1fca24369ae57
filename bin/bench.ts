/**
 * `npm run bench`: creditflow's performance figures on this machine (bench/run.ts says
 * what each measures and which settings it takes).
 *   npm run bench                      every figure at N = 10,000
 *   npm run bench -- --quick           a smoke run (N = 300, shorter phases)
 *   npm run bench -- --n 2000 --only P2,P4
 *   npm run bench -- --only P6         formal letters per second (no servers)
 *   npm run bench -- --n 300 --only P2 --workers 2 --kill-worker-at 20
 *                                      two worker processes; one SIGKILLed 20 s into the storm
 * Exit 0 when every figure meets its target (floors are not judged), 1 when one misses, 2 when the run failed.
 */
import { runBench } from '../bench/run.js';

runBench(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
