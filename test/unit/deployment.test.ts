/**
 * The production deployment stays what docs/operations.md "Deployment" says: the compose
 * stack runs Temporal's maintained images (temporalio/server after a one-shot
 * admin-tools schema job, never the deprecated auto-setup), two receivable worker and two
 * API replicas and a periodic worker, with health checks and host ports that cannot clash, and the image runs the
 * compiled JavaScript that `npm run build` makes from the lockfile's dependencies, its
 * workers on jemalloc with the settings `npm run worker` and `npm run bench` give theirs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKER_ROLES } from '../../infra/config.js';
import { prebuiltBundlePath, WORKFLOW_BUNDLES } from '../../workers/worker.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const imageOf = (name: string) => service(name).image ?? '';
const versionOf = (image: string) => image.split(':')[1] ?? '';

describe('docker-compose.yml', () => {
  it("runs Temporal's maintained images, never the deprecated auto-setup", () => {
    for (const [name, s] of Object.entries(services)) expect(s.image ?? '', name).not.toMatch(/auto-setup/);
    expect(imageOf('temporal')).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
  });

  it("sets Temporal's schema up with admin-tools of the server's version before the server starts", () => {
    const server = versionOf(imageOf('temporal'));
    for (const job of ['temporal-schema', 'temporal-namespace']) {
      expect(imageOf(job)).toMatch(/^temporalio\/admin-tools:/);
      expect(
        versionOf(imageOf(job)) === server || versionOf(imageOf(job)).startsWith(`${server}-`),
        job,
      ).toBe(true);
    }
    expect(service('temporal').depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
    const script = read('infra/docker/temporal-schema.sh');
    for (const step of ['--plugin postgres12', ' create', 'setup-schema -v 0.0', 'update-schema -d'])
      expect(script).toContain(step);
    expect(script).toMatch(/temporal:temporal temporal_visibility:visibility/);
    expect(service('temporal-schema').command?.join(' ')).toContain('temporal-schema.sh');
  });

  it('creates the namespace before any creditflow process starts, and keeps the dynamic config', () => {
    expect(read('infra/docker/temporal-namespace.sh')).toContain('temporal operator namespace create');
    expect(service('temporal-namespace').environment?.NAMESPACE).toBe(
      service('creditflow-worker').environment?.TEMPORAL_NAMESPACE,
    );
    expect(service('creditflow-worker').depends_on?.['temporal-namespace']?.condition).toBe(
      'service_completed_successfully',
    );
    const temporal = service('temporal');
    const file = temporal.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '';
    expect(temporal.volumes).toContain(
      `./infra/docker/temporal-dynamic-config.yaml:/etc/temporal/${file}:ro`,
    );
  });

  it('runs two worker and two API replicas, each with a health check', () => {
    for (const name of ['creditflow-worker', 'creditflow-api']) {
      expect(service(name).deploy?.replicas, name).toBe(2);
      expect(service(name).healthcheck?.test.join(' '), name).toMatch(/127\.0\.0\.1:\d+\/health/);
    }
    expect(service('creditflow-api').depends_on?.['creditflow-worker']?.condition).toBe('service_healthy');
  });

  it('splits the workers by role: the receivable replicas, and one periodic worker with its own health check', () => {
    const receivables = service('creditflow-worker');
    const periodic = service('creditflow-periodic-worker');
    expect(receivables.environment?.WORKER_ROLE).toBe('receivables');
    expect(periodic.environment?.WORKER_ROLE).toBe('periodic');
    for (const role of [receivables, periodic]) expect(WORKER_ROLES).toContain(role.environment?.WORKER_ROLE);
    // Every worker role runs somewhere: no task queue is left without a poller.
    expect(
      Object.values(services)
        .map((s) => s.environment?.WORKER_ROLE)
        .filter(Boolean)
        .sort(),
    ).toEqual(['periodic', 'receivables']);
    expect(periodic.deploy?.replicas ?? 1).toBe(1);
    expect(periodic.command).toEqual(receivables.command);
    expect(periodic.depends_on).toEqual(receivables.depends_on);
    expect(periodic.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:9464\/health/);
    expect(periodic.environment?.METRICS_PORT).toBe('9464');
  });

  it('runs the compiled JavaScript of dist/, never tsx', () => {
    expect(service('creditflow-worker').command).toEqual([
      'node',
      '--require',
      './dist/infra/workflow-stack-traces.cjs',
      'dist/bin/worker.js',
    ]);
    expect(service('creditflow-api').command).toEqual(['node', 'dist/bin/api.js']);
    expect(read('docker-compose.yml')).not.toMatch(/\btsx\b/);
    // The runtime stage installs the production dependencies only: tsx is not among them.
    const pkg = JSON.parse(read('package.json'));
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(pkg.devDependencies.tsx).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('publishes no host port twice, a replicated service one per replica, the API through its proxy', () => {
    const taken: number[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const mapping of s.ports ?? []) {
        const host = mapping.split(':')[0] as string;
        const [from, to = from] = host.split('-').map(Number) as [number, number?];
        const count = (to as number) - from + 1;
        expect(count, `${name} publishes ${host}`).toBeGreaterThanOrEqual(s.deploy?.replicas ?? 1);
        for (let p = from; p <= (to as number); p++) taken.push(p);
      }
    }
    expect(new Set(taken).size).toBe(taken.length);
    expect(service('creditflow-api').ports ?? []).toEqual([]);
    expect(service('api-proxy').ports).toEqual(['3000:3000']);
    expect(read('infra/docker/api-proxy.conf')).toMatch(/server creditflow-api:3000 resolve;/);
  });

  it('mounts only files the repository has', () => {
    for (const [name, s] of Object.entries(services))
      for (const v of s.volumes ?? [])
        if (v.startsWith('./'))
          expect(existsSync(path.join(ROOT, v.split(':')[0] as string)), `${name}: ${v}`).toBe(true);
  });
});

describe('Dockerfile and npm run build', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const [build = '', runtime = ''] = stages;
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  // JSON with // comments, as tsc reads it.
  const tsconfigBuild = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as {
    include: string[];
    compilerOptions: { outDir: string };
  };

  it('builds from the lockfile in a build stage and runs dist/ with production dependencies only', () => {
    expect(stages).toHaveLength(2);
    expect(build).toMatch(/ AS build\n/);
    expect(build).toMatch(/COPY package\.json package-lock\.json/);
    expect(build).toMatch(/RUN npm ci\b(?!.*--omit)/);
    expect(build).toMatch(/RUN npm run build\b/);
    expect(runtime).toMatch(/RUN npm ci --omit=dev\b/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).toMatch(
      /^CMD \["node", "--require", "\.\/dist\/infra\/workflow-stack-traces\.cjs", "dist\/bin\/worker\.js"\]$/m,
    );
    expect(runtime).toMatch(/^HEALTHCHECK .*\/health/ms);
    const instructions = dockerfile.replace(/^#.*$/gm, '');
    expect(instructions).not.toMatch(/\btsx\b|npm install/);
  });

  it('compiles to dist/ what the commands run, with every source directory the build stage copies', () => {
    expect(pkg.scripts.build).toBe('bash infra/scripts/build.sh');
    expect(read('infra/scripts/build.sh')).toContain('tsc -p tsconfig.build.json');
    expect(tsconfigBuild.compilerOptions.outDir).toBe('dist');
    for (const entry of ['worker', 'api'])
      expect(existsSync(path.join(ROOT, 'bin', `${entry}.ts`))).toBe(true);
    for (const dir of tsconfigBuild.include) expect(build, dir).toContain(`COPY ${dir} ./${dir}`);
  });

  it('bundles the workflows last, from the compiled code, where the compiled worker loads them', () => {
    const commands = read('infra/scripts/build.sh')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(commands.at(-1)).toBe('node dist/bin/bundle-workflows.js');
    expect(read('bin/bundle-workflows.ts')).toContain('prebuiltBundlePath(name)');
    expect(Object.keys(WORKFLOW_BUNDLES).sort()).toEqual(['all', 'receivable']);
    // From the TypeScript sources (npm start, the tests) there is no prebuilt bundle: they bundle as they start.
    for (const name of ['all', 'receivable'] as const) expect(prebuiltBundlePath(name)).toBeUndefined();
  });

  it('copies beside the compiled code every file it reads from disk', () => {
    const script = read('infra/scripts/build.sh');
    const copies = [...script.matchAll(/^cp (?:-R )?(.+) (dist\/\S*)$/gm)].flatMap((m) =>
      (m[1] as string).split(' '),
    );
    expect(copies).toEqual(
      expect.arrayContaining([
        'migrations',
        'templates',
        'api/dashboard',
        'api/workspace',
        'domain/format.js',
        'infra/workflow-stack-traces.cjs',
      ]),
    );
    for (const dir of ['migrations', 'templates']) expect(build).toContain(`COPY ${dir} ./${dir}`);
    // Whatever is not TypeScript in the compiled directories (pages, scripts, fonts) is
    // read at run time, so it is copied too. infra/ holds only the Docker and install files.
    const assets = tsconfigBuild.include
      .filter((dir) => dir !== 'infra')
      .flatMap((dir) => readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true }))
      .filter((f) => f.isFile() && !f.name.endsWith('.ts'))
      .map((f) => path.relative(ROOT, path.join(f.parentPath, f.name)));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets)
      expect(
        copies.some((c) => asset === c || asset.startsWith(`${c}/`)),
        `${asset} is copied by infra/scripts/build.sh`,
      ).toBe(true);
  });

  it('starts every worker process with the stack-trace switch preloaded (infra/workflow-stack-traces.cjs)', () => {
    expect(read('infra/scripts/worker.sh')).toMatch(
      /^exec node --require \.\/infra\/workflow-stack-traces\.cjs --import tsx bin\/worker\.ts "\$@"$/m,
    );
    expect(service('creditflow-worker').command?.slice(1, 3)).toEqual([
      '--require',
      './dist/infra/workflow-stack-traces.cjs',
    ]);
    expect(runtime).toMatch(/^CMD \["node", "--require", "\.\/dist\/infra\/workflow-stack-traces\.cjs"/m);
    // The bench's worker and floor worker, and the fault tests' worker, start as production does.
    expect(read('bench/env.ts')).toMatch(/'--require',\s+'\.\/infra\/workflow-stack-traces\.cjs'/);
    expect(read('test/faults/support/servers.ts')).toMatch(
      /\['--require', '\.\/infra\/workflow-stack-traces\.cjs', '--import', 'tsx', 'bin\/worker\.ts'\]/,
    );
  });

  it('runs the workers on jemalloc with the settings npm run worker and npm run bench use', () => {
    const conf = /^WORKER_MALLOC_CONF="([^"]+)"$/m.exec(read('infra/scripts/ensure.sh'))?.[1];
    expect(conf).toMatch(/\bnarenas:\d+/);
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends libjemalloc2\b/);
    expect(runtime).toMatch(
      /^ENV LD_PRELOAD=\/usr\/local\/lib\/libjemalloc\.so\.2 \\\n\s+MALLOC_CONF=(\S+)$/m,
    );
    expect(/MALLOC_CONF=(\S+)$/m.exec(runtime)?.[1]).toBe(conf);
    expect(pkg.scripts.worker).toBe('bash infra/scripts/worker.sh');
    expect(pkg.scripts.bench).toBe('bash infra/scripts/bench.sh');
    expect(read('infra/scripts/worker.sh')).toMatch(/find_jemalloc\nworker_allocator_env\n/);
    expect(read('infra/scripts/bench.sh')).toContain('BENCH_WORKER_MALLOC_CONF="$WORKER_MALLOC_CONF"');
  });

  it("gives a worker process jemalloc when the system has it, and two glibc arenas when it hasn't", () => {
    const allocatorEnv = (jemalloc: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source infra/scripts/ensure.sh; JEMALLOC_PATH=${jemalloc}; worker_allocator_env; echo "\${LD_PRELOAD:-}|\${MALLOC_CONF:-}|$MALLOC_ARENA_MAX"`,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
      ).trim();
    const conf = /^WORKER_MALLOC_CONF="([^"]+)"$/m.exec(read('infra/scripts/ensure.sh'))?.[1];
    expect(allocatorEnv('/lib/libjemalloc.so.2')).toBe(`/lib/libjemalloc.so.2|${conf}|2`);
    expect(allocatorEnv('""')).toBe('||2');
  });
});
