import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Checks the files of deploy/ against each other and against the CLI they start; it builds no image and starts
// no container. The repository has no YAML library, so the YAML is read line by line — indentation,
// `key: value`, `- item` and flow lists (`[a, b]`), which is all these files use — and the CLI's flags are
// checked against `baton <command> --help` of the built CLI.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const kubeDir = join(root, 'deploy/kubernetes');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Files in deploy/kubernetes that are not Kubernetes objects. */
const notManifests = ['kustomization.yaml', 'prometheus-adapter-rule.yaml'];

// ---- reading YAML by its structure ----

/** One significant line: its indentation (of the key, for `- key: value`), whether it starts a list item. */
interface Line {
  indent: number;
  item: boolean;
  key?: string;
  /** After `key: `, or the whole line when it has no key. */
  value: string;
}

/** Drops a trailing ` # comment` that is not inside quotes. */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || text[i - 1] === ' ')) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

function parseLines(yaml: string): Line[] {
  const lines: Line[] = [];
  for (const raw of yaml.split('\n')) {
    const text = withoutComment(raw);
    if (text.trim() === '') continue;
    let indent = text.length - text.trimStart().length;
    let rest = text.trimStart();
    const item = rest === '-' || rest.startsWith('- ');
    if (item) {
      indent += 2;
      rest = rest.slice(1).trimStart();
    }
    const keyed = /^([^\s'"[{][^:]*?|'[^']*'|"[^"]*"):(?: +(.*))?$/.exec(rest);
    lines.push(
      keyed ? { indent, item, key: unquote(keyed[1]), value: keyed[2] ?? '' } : { indent, item, value: rest },
    );
  }
  return lines;
}

/** The documents of a YAML file, each as its lines. */
function documents(yaml: string): Line[][] {
  return yaml
    .split(/^---\s*$/m)
    .map(parseLines)
    .filter((doc) => doc.length > 0);
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return JSON.parse(t) as string;
  return t;
}

/** A key at the top level of a block, with its value and the lines nested under it. */
interface Entry {
  key: string;
  value: string;
  nested: Line[];
}

function entries(block: readonly Line[]): Entry[] {
  if (block.length === 0) return [];
  const top = Math.min(...block.map((l) => l.indent));
  const out: Entry[] = [];
  block.forEach((line, i) => {
    if (line.indent !== top || line.key === undefined) return;
    const end = block.findIndex((l, j) => j > i && l.indent <= top);
    out.push({ key: line.key, value: line.value, nested: block.slice(i + 1, end < 0 ? undefined : end) });
  });
  return out;
}

function entry(block: readonly Line[], key: string): Entry | undefined {
  return entries(block).find((e) => e.key === key);
}

/** The lines nested under a path of keys, each looked up at the top level of the block before it. */
function get(block: readonly Line[], ...path: string[]): Line[] {
  let current = [...block];
  for (const key of path) {
    const found = entry(current, key);
    if (!found) throw new Error(`no "${key}" in ${path.join('.')}`);
    current = found.nested;
  }
  return current;
}

/** The unquoted value of a key at the top level of a block. */
function scalar(block: readonly Line[], key: string): string | undefined {
  const found = entry(block, key);
  return found === undefined ? undefined : unquote(found.value);
}

/** The items of a list: each item's lines, the first being the `- …` line. */
function items(list: readonly Line[]): Line[][] {
  if (list.length === 0) return [];
  const top = Math.min(...list.map((l) => l.indent));
  const out: Line[][] = [];
  for (const line of list) {
    if (line.item && line.indent === top) out.push([{ ...line, item: false }]);
    else out[out.length - 1]?.push(line);
  }
  return out;
}

/** The scalar items of a list under `key`: `[a, 'b']`, over one or more lines, or `- a` lines. */
function scalars(block: readonly Line[], key: string): string[] {
  const found = entry(block, key);
  if (!found) return [];
  const flow = [
    found.value,
    ...found.nested.map((l) => (l.key === undefined ? l.value : `${l.key}: ${l.value}`)),
  ]
    .join(' ')
    .trim();
  if (!flow.startsWith('[')) return items(found.nested).map((item) => unquote(item[0].value));
  const inner = flow.slice(1, flow.lastIndexOf(']'));
  const token = /'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g;
  const out: string[] = [];
  for (let m = token.exec(inner); m !== null; m = token.exec(inner)) out.push(unquote(m[0]));
  return out;
}

function manifest(file: string): Line[][] {
  return documents(read(`deploy/kubernetes/${file}`));
}

/** Every Kubernetes object of deploy/kubernetes with its file. */
function objects(): { file: string; doc: Line[] }[] {
  return readdirSync(kubeDir)
    .filter((f) => f.endsWith('.yaml') && !notManifests.includes(f))
    .flatMap((file) => manifest(file).map((doc) => ({ file, doc })));
}

function object(kind: string, name: string): Line[] {
  const found = objects().find(
    ({ doc }) => scalar(doc, 'kind') === kind && scalar(get(doc, 'metadata'), 'name') === name,
  );
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found.doc;
}

/** A Deployment's pod spec and its only container. */
function podOf(deployment: Line[]): { pod: Line[]; container: Line[] } {
  const pod = get(deployment, 'spec', 'template', 'spec');
  const containers = items(get(pod, 'containers'));
  expect(containers).toHaveLength(1);
  return { pod, container: containers[0] };
}

/** The compose services by name, with the `<<: *anchor` merges resolved (one level, as the file uses them). */
function composeServices(): Record<string, Line[]> {
  const compose = parseLines(read('deploy/docker-compose.yml'));
  const anchors: Record<string, Line[]> = {};
  for (const { value, nested } of entries(compose)) {
    if (value.startsWith('&')) anchors[value.slice(1)] = nested;
  }
  const services: Record<string, Line[]> = {};
  for (const { key: name, nested } of entries(get(compose, 'services'))) {
    const merge = entry(nested, '<<');
    const base = merge ? anchors[merge.value.replace(/^\*/, '')] : [];
    if (!base) throw new Error(`service ${name} merges an unknown anchor ${merge?.value}`);
    // The anchor's keys the service does not set, re-indented to the service's level: both read as one block.
    const shift = (nested[0]?.indent ?? 0) - (base[0]?.indent ?? 0);
    const own = entries(nested).map((e) => e.key);
    const inherited = entries(base)
      .filter((e) => !own.includes(e.key))
      .flatMap((e) => [{ indent: base[0].indent, item: false, key: e.key, value: e.value }, ...e.nested])
      .map((l) => ({ ...l, indent: l.indent + shift }));
    services[name] = [...inherited, ...nested.filter((l) => l.key !== '<<')];
  }
  return services;
}

const batonCli = join(root, 'packages/cli/bin/baton.js');
async function help(...command: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [batonCli, ...command, '--help']);
  return stdout;
}

// ---- Kubernetes ----

describe('deploy/kubernetes', () => {
  it('holds namespace-less Kubernetes objects, each with apiVersion, kind and metadata.name', () => {
    const found = objects();
    expect(found.length).toBeGreaterThanOrEqual(6);
    for (const { file, doc } of found) {
      expect(scalar(doc, 'apiVersion'), file).toMatch(/^[a-z0-9./]+$/i);
      expect(scalar(doc, 'kind'), file).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(scalar(get(doc, 'metadata'), 'name'), file).toMatch(/^[a-z0-9-]+$/);
      expect(scalar(get(doc, 'metadata'), 'namespace'), file).toBeUndefined();
    }
    expect(found.map(({ doc }) => scalar(doc, 'kind')).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Secret',
      'Service',
    ]);
  });

  it('has a kustomization that lists every manifest in the folder, and only those', () => {
    const [kustomization] = manifest('kustomization.yaml');
    expect(scalar(kustomization, 'kind')).toBe('Kustomization');
    expect(scalar(kustomization, 'namespace')).toBeUndefined();
    const listed = scalars(kustomization, 'resources');
    const inFolder = readdirSync(kubeDir).filter((f) => /\.ya?ml$/.test(f) && !notManifests.includes(f));
    expect([...listed].sort()).toEqual(inFolder.sort());
  });

  it('runs `baton worker` with its metrics port exposed, probed on /healthz and scraped by Prometheus', () => {
    const worker = object('Deployment', 'baton-worker');
    const { container } = podOf(worker);
    const args = scalars(container, 'args');
    expect(args[0]).toBe('worker');
    expect(args).toContain('--metrics-port');
    const port = args[args.indexOf('--metrics-port') + 1];
    const ports = items(get(container, 'ports'));
    const metrics = ports.find((p) => scalar(p, 'name') === 'metrics');
    expect(metrics && scalar(metrics, 'containerPort')).toBe(port);
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      expect(scalar(get(container, probe, 'httpGet'), 'path'), probe).toBe('/healthz');
      expect(scalar(get(container, probe, 'httpGet'), 'port'), probe).toBe('metrics');
    }
    const annotations = get(worker, 'spec', 'template', 'metadata', 'annotations');
    expect(scalar(annotations, 'prometheus.io/scrape')).toBe('true');
    expect(scalar(annotations, 'prometheus.io/port')).toBe(port);
    expect(scalar(annotations, 'prometheus.io/path')).toBe('/metrics');
    expect(scalar(get(container, 'resources', 'requests'), 'memory')).toBeDefined();
    expect(scalar(get(container, 'resources', 'limits'), 'memory')).toBeDefined();
    // The HPA owns the worker count.
    expect(scalar(get(worker, 'spec'), 'replicas')).toBeUndefined();
  });

  it('runs several `baton serve` replicas without probing an HTTP endpoint the server does not have', () => {
    const server = object('Deployment', 'baton-server');
    const { pod, container } = podOf(server);
    expect(scalars(container, 'args')).toEqual(['serve']);
    expect(Number(scalar(get(server, 'spec'), 'replicas'))).toBeGreaterThanOrEqual(2);
    expect(Number(scalar(pod, 'terminationGracePeriodSeconds'))).toBeGreaterThan(0);
    expect(container.some((l) => l.key === 'httpGet' || l.key === 'containerPort')).toBe(false);
  });

  it('gives both Deployments the settings of the ConfigMap and the connection URLs of the Secret', () => {
    const config = object('ConfigMap', 'baton-config');
    expect(scalar(get(config, 'data'), 'BATON_POOLS')).toBeDefined();
    const secret = object('Secret', 'baton-secrets');
    const urls = get(secret, 'stringData');
    expect(scalar(urls, 'BATON_DATABASE_URL')).toMatch(/^postgres(ql)?:\/\//);
    expect(scalar(urls, 'BATON_REDIS_URL')).toMatch(/^rediss?:\/\//);
    for (const name of ['baton-server', 'baton-worker']) {
      const { container } = podOf(object('Deployment', name));
      const sources = items(get(container, 'envFrom'));
      const refs = sources.map((s) => [s[0].key, scalar(s.slice(1), 'name')]);
      expect(refs, name).toEqual(
        expect.arrayContaining([
          ['configMapRef', 'baton-config'],
          ['secretRef', 'baton-secrets'],
        ]),
      );
    }
  });

  it('scales the worker Deployment on baton_work_queue_depth of the default pool', () => {
    const hpa = object('HorizontalPodAutoscaler', 'baton-worker');
    expect(scalar(hpa, 'apiVersion')).toBe('autoscaling/v2');
    const target = get(hpa, 'spec', 'scaleTargetRef');
    expect(scalar(target, 'kind')).toBe('Deployment');
    expect(scalar(target, 'name')).toBe('baton-worker');
    object('Deployment', scalar(target, 'name'));
    expect(Number(scalar(get(hpa, 'spec'), 'minReplicas'))).toBeGreaterThanOrEqual(1);
    expect(Number(scalar(get(hpa, 'spec'), 'maxReplicas'))).toBeGreaterThan(
      Number(scalar(get(hpa, 'spec'), 'minReplicas')),
    );
    const [metric] = items(get(hpa, 'spec', 'metrics'));
    expect(scalar(metric, 'type')).toBe('External');
    expect(scalar(get(metric, 'external', 'metric'), 'name')).toBe('baton_work_queue_depth');
    expect(scalar(get(metric, 'external', 'metric', 'selector', 'matchLabels'), 'pool')).toBe('default');
    expect(scalar(get(metric, 'external', 'target'), 'type')).toBe('AverageValue');
  });

  it('comes with a prometheus-adapter rule that serves that External metric', () => {
    const [adapter] = manifest('prometheus-adapter-rule.yaml');
    const [rule] = items(get(adapter, 'externalRules'));
    expect(scalar(rule, 'seriesQuery')).toContain('baton_work_queue_depth');
    expect(scalar(get(rule, 'name'), 'as')).toBe('baton_work_queue_depth');
    expect(scalar(rule, 'metricsQuery')).toContain('<<.LabelMatchers>>');
  });

  it('has a headless Service over the workers’ metrics port', () => {
    const service = object('Service', 'baton-worker-metrics');
    expect(scalar(get(service, 'spec'), 'clusterIP')).toBe('None');
    const podLabels = get(object('Deployment', 'baton-worker'), 'spec', 'template', 'metadata', 'labels');
    for (const { key, value } of entries(get(service, 'spec', 'selector'))) {
      expect(scalar(podLabels, key), key).toBe(unquote(value));
    }
    const [port] = items(get(service, 'spec', 'ports'));
    expect(scalar(port, 'targetPort')).toBe('metrics');
  });
});

// ---- Docker ----

describe('deploy/docker-compose.yml', () => {
  const services = composeServices();
  const baton = Object.entries(services).filter(([, lines]) => scalar(lines, 'image') === 'baton:latest');
  const command = (name: string): string[] => scalars(services[name], 'command');

  it('has PostgreSQL and Redis with health checks, a server and workers', () => {
    expect(scalar(services['postgres'], 'image')).toMatch(/^postgres:16/);
    expect(scalar(services['redis'], 'image')).toMatch(/^redis:7/);
    for (const name of ['postgres', 'redis']) {
      expect(scalars(get(services[name], 'healthcheck'), 'test').length, name).toBeGreaterThan(0);
    }
    expect(baton.map(([name]) => name).sort()).toEqual(['server', 'worker', 'worker-legal']);
    expect(command('server')).toEqual(['serve']);
  });

  it('gives every Baton service the database and Redis URLs, and starts it once both are healthy', () => {
    for (const [name, lines] of baton) {
      const environment = get(lines, 'environment');
      expect(scalar(environment, 'BATON_DATABASE_URL'), name).toMatch(
        /^postgres(ql)?:\/\/[^@]+@postgres:5432\//,
      );
      expect(scalar(environment, 'BATON_REDIS_URL'), name).toMatch(/^redis:\/\/redis:6379/);
      for (const dependency of ['postgres', 'redis']) {
        expect(scalar(get(lines, 'depends_on', dependency), 'condition'), name).toBe('service_healthy');
      }
    }
  });

  it('runs two default-pool workers with metrics on 9464, and a legal-pool worker the server routes to', () => {
    const worker = services['worker'];
    expect(scalar(get(worker, 'deploy'), 'replicas')).toBe('2');
    const args = command('worker');
    expect(args[0]).toBe('worker');
    expect(args[args.indexOf('--metrics-port') + 1]).toBe('9464');
    const legal = command('worker-legal');
    expect(legal[0]).toBe('worker');
    expect(legal[legal.indexOf('--agents') + 1]).toBe('domain:legal');
    const pools = scalar(get(services['server'], 'environment'), 'BATON_POOLS') ?? '';
    expect(pools.split(',')).toContain('domain:legal');
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('builds on node:20-bookworm-slim in stages and runs the CLI as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^node:20-bookworm-slim\b/);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "packages\/cli\/bin\/baton\.js"\]$/m);
    expect(runtime).toMatch(/^CMD \["serve"\]$/m);
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('ships the templates and sample inputs that the README runs, and the context does not leave them out', () => {
    expect(runtime).toMatch(/^COPY --from=\S+ \/app\/templates /m);
    expect(runtime).toMatch(/^COPY --from=\S+ \/app\/examples\/inputs /m);
    expect(existsSync(join(root, 'templates/rfp-response.json'))).toBe(true);
    expect(existsSync(join(root, 'examples/inputs/rfp-response.json'))).toBe(true);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
    expect(ignored.some((p) => /templates|examples|packages/.test(p))).toBe(false);
  });
});

describe('the commands deploy/ starts', () => {
  it('use only commands and flags that `baton` has', async () => {
    const services = composeServices();
    const commandLines = [
      ...Object.values(services)
        .filter((lines) => scalar(lines, 'image') === 'baton:latest')
        .map((lines) => scalars(lines, 'command')),
      ...['baton-server', 'baton-worker'].map((name) =>
        scalars(podOf(object('Deployment', name)).container, 'args'),
      ),
    ];
    expect(commandLines.length).toBe(5);
    const top = await help();
    const flagsOf: Record<string, string[]> = {};
    for (const [command, ...rest] of commandLines) {
      expect(command).toMatch(/^(serve|worker)$/);
      expect(top).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
      const flags = (flagsOf[command] ??= []);
      for (const token of rest) if (token.startsWith('--') && !flags.includes(token)) flags.push(token);
    }
    expect([...(flagsOf['worker'] ?? [])].sort()).toEqual(['--agents', '--concurrency', '--metrics-port']);
    for (const [command, flags] of Object.entries(flagsOf)) {
      const text = await help(command);
      for (const flag of flags) expect(text, `baton ${command} ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    }
  });
});
