/**
 * Preloaded into a child run by kill.test.ts: counts the file-system changes
 * (writes, renames, removals, new folders) the run makes inside
 * GAMESIM_KILL_DIR and kills the process with SIGKILL just before change
 * number GAMESIM_KILL_AT (0: never; the count is then written to
 * GAMESIM_KILL_COUNT at exit). The named imports of node:fs see the wrapped
 * functions through syncBuiltinESMExports.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

const dir = resolve(process.env.GAMESIM_KILL_DIR ?? '/nonexistent');
const at = Number(process.env.GAMESIM_KILL_AT ?? 0);
let n = 0;
const inside = (p) => typeof p === 'string' && resolve(p).startsWith(dir);
for (const name of ['writeFileSync', 'renameSync', 'rmSync', 'mkdirSync', 'rmdirSync', 'unlinkSync']) {
  const real = fs[name];
  fs[name] = function (p, ...rest) {
    if (inside(p) && ++n === at) process.kill(process.pid, 'SIGKILL');
    return real.call(this, p, ...rest);
  };
}
syncBuiltinESMExports();
if (at === 0 && process.env.GAMESIM_KILL_COUNT) process.on('exit', () => fs.writeFileSync(process.env.GAMESIM_KILL_COUNT, String(n)));
