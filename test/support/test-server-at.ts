/**
 * Temporal's time-skipping test server with its clock starting at a chosen instant (the
 * server's own launcher starts it at the machine's now): test/support/TestServerAt.java, run
 * on the classes and JVM options of the launcher infra/scripts/ensure.sh writes, compiled
 * once into .data/. Lets the working-day tests live through holidays behind today's date.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, '.data', 'test-server-at');

/** The launcher's JVM options and class path. */
function launcher(): { options: string[]; classPath: string } {
  const file =
    process.env.TEMPORAL_TEST_SERVER ?? path.join(ROOT, '.tools', 'test-server', 'temporal-test-server');
  const script = readFileSync(file, 'utf8');
  const line = script.split('\n').find((l) => l.startsWith('exec java '));
  const m = line && /^exec java (.*?) -cp "([^"]+)" io\.temporal\.testserver\.TestServer/.exec(line);
  if (!m?.[1] || !m[2]) throw new Error(`${file}: not the launcher infra/scripts/ensure.sh writes`);
  // The class-data archive belongs to the launcher's class path; this one differs.
  const options = m[1]
    .split(/\s+/)
    .filter((o) => o && !o.startsWith('-Xshare') && !o.startsWith('-XX:SharedArchiveFile'));
  return { options, classPath: m[2] };
}

function compiled(classPath: string): string {
  const classes = path.join(OUT, 'classes');
  if (existsSync(path.join(classes, 'TestServerAt.class'))) return classes;
  const tmp = path.join(OUT, `classes-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync(
    'javac',
    ['-cp', classPath, '-d', tmp, path.join(ROOT, 'test', 'support', 'TestServerAt.java')],
    {
      stdio: 'inherit',
    },
  );
  try {
    renameSync(tmp, classes);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process compiled it first
  }
  return classes;
}

/** The path of an executable that starts the test server with its clock at `startAt` (epoch ms). */
export function testServerStartingAt(startAt: number): string {
  const { options, classPath } = launcher();
  const classes = compiled(classPath);
  const file = path.join(OUT, `test-server-at-${startAt}.sh`);
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  writeFileSync(
    file,
    `#!/usr/bin/env bash\nexec java ${options.join(' ')} -Dcreditflow.startAt=${startAt} -cp ${quoted(`${classPath}:${classes}`)} TestServerAt "$@"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}
