import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Checks the files of deploy/ against each other and against the CLI they start; it builds no image and starts
// no container. The repository has no YAML library, so the YAML is read line by line — indentation,
// `key: value`, `- item`, flow lists (`[a, b]`) and, in the Compose file, anchors, aliases and `<<` merges,
// which is all these files use — and the CLI's flags and settings are checked against `baton <command> --help`
// of the built CLI, and against what it does with the settings deploy/ gives it.

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

/** A container's `env` list as name → literal `value` (`undefined` for `valueFrom`). */
function envOf(container: readonly Line[]): Record<string, string | undefined> {
  const list = entry(container, 'env')?.nested ?? [];
  return Object.fromEntries(items(list).map((item) => [scalar(item, 'name'), scalar(item, 'value')]));
}

/** The lines of a block moved so that its top level is at `indent`. */
function reindent(block: readonly Line[], indent: number): Line[] {
  const shift = indent - Math.min(...block.map((l) => l.indent));
  return block.map((l) => ({ ...l, indent: l.indent + shift }));
}

/** Every `&anchor` of a file, at any depth, with the lines nested under it. */
function anchorsOf(lines: readonly Line[]): Record<string, Line[]> {
  const anchors: Record<string, Line[]> = {};
  lines.forEach((line, i) => {
    const name = /^&(\S+)$/.exec(line.value)?.[1];
    if (name === undefined) return;
    const end = lines.findIndex((l, j) => j > i && l.indent <= line.indent);
    anchors[name] = lines.slice(i + 1, end < 0 ? undefined : end);
  });
  return anchors;
}

/**
 * A mapping with its YAML fragments resolved, at every depth: `key: *alias` takes the anchor's lines,
 * `key: &anchor` drops the anchor's name, and `<<: *anchor` adds the anchor's keys that the mapping does not
 * set itself, before its own. Lists and flow values are kept as written.
 */
function resolved(block: readonly Line[], anchors: Record<string, Line[]>): Line[] {
  if (block.length === 0) return [];
  const top = Math.min(...block.map((l) => l.indent));
  if (block.some((l) => l.indent === top && (l.item || l.key === undefined))) return [...block];
  const anchor = (alias: string): Line[] => {
    const lines = anchors[alias.replace(/^\*/, '')];
    if (!lines) throw new Error(`no anchor for ${alias} in deploy/docker-compose.yml`);
    return lines;
  };
  const own = entries(block).filter((e) => e.key !== '<<');
  const merged = entries(block)
    .filter((e) => e.key === '<<')
    .flatMap((e) => entries(resolved(reindent(anchor(e.value), top), anchors)))
    .filter((e) => !own.some((o) => o.key === e.key));
  return [...merged, ...own].flatMap(({ key, value, nested }) => {
    const aliased = value.startsWith('*');
    const lines = aliased ? reindent(anchor(value), top + 2) : nested;
    const text = aliased || value.startsWith('&') ? '' : value;
    return [{ indent: top, item: false, key, value: text }, ...resolved(lines, anchors)];
  });
}

/** The compose services by name, with their anchors, aliases and `<<` merges resolved. */
function composeServices(): Record<string, Line[]> {
  const compose = parseLines(read('deploy/docker-compose.yml'));
  const anchors = anchorsOf(compose);
  return Object.fromEntries(
    entries(get(compose, 'services')).map(({ key, nested }) => [key, resolved(nested, anchors)]),
  );
}

const batonCli = join(root, 'packages/cli/bin/baton.js');
async function help(...command: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [batonCli, ...command, '--help']);
  return stdout;
}

/**
 * Runs `baton` with only these settings (embedded mode, in a fresh data directory) and tells how it ended. A
 * command that was meant to be refused but runs on is stopped after 20 s.
 */
async function runBaton(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-deploy-'));
  try {
    const { stdout, stderr } = await run(process.execPath, [batonCli, ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', BATON_DATA_DIR: dataDir, ...env },
      timeout: 20_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    const code = typeof failed.code === 'number' ? failed.code : -1;
    return { code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
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

  it('runs several `baton serve` replicas serving the API on their `http` port, probed on /healthz', () => {
    const server = object('Deployment', 'baton-server');
    const { pod, container } = podOf(server);
    expect(scalars(container, 'args')).toEqual(['serve']);
    expect(Number(scalar(get(server, 'spec'), 'replicas'))).toBeGreaterThanOrEqual(2);
    expect(Number(scalar(pod, 'terminationGracePeriodSeconds'))).toBeGreaterThan(0);
    // Reachable from the probes and the Service, on the port the container declares.
    const env = envOf(container);
    expect(env['BATON_HOST']).toBe('0.0.0.0');
    const port = env['BATON_PORT'];
    expect(port).toMatch(/^[1-9]\d*$/);
    const http = items(get(container, 'ports')).find((p) => scalar(p, 'name') === 'http');
    expect(http && scalar(http, 'containerPort')).toBe(port);
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      expect(scalar(get(container, probe, 'httpGet'), 'path'), probe).toBe('/healthz');
      expect(scalar(get(container, probe, 'httpGet'), 'port'), probe).toBe('http');
    }
    expect(scalar(get(container, 'resources', 'limits'), 'memory')).toBeDefined();
  });

  it('gives the server its API token from the Secret, and BATON_HOST and BATON_PORT to the server only', () => {
    const { container: server } = podOf(object('Deployment', 'baton-server'));
    const token = scalar(get(object('Secret', 'baton-secrets'), 'stringData'), 'BATON_API_TOKEN');
    expect(token).toBe('REPLACE_ME');
    const fromSecret = items(get(server, 'envFrom')).some(
      (s) => s[0].key === 'secretRef' && scalar(s.slice(1), 'name') === 'baton-secrets',
    );
    expect(fromSecret).toBe(true);
    // A literal token on the container would win over the Secret's.
    expect(Object.keys(envOf(server))).not.toContain('BATON_API_TOKEN');
    // The ConfigMap goes to the workers too, and holds no secret; the workers listen on their metrics port only.
    const config = get(object('ConfigMap', 'baton-config'), 'data');
    const { container: worker } = podOf(object('Deployment', 'baton-worker'));
    for (const name of ['BATON_HOST', 'BATON_PORT', 'BATON_API_TOKEN']) {
      expect(scalar(config, name), name).toBeUndefined();
      expect(Object.keys(envOf(worker)), name).not.toContain(name);
    }
  });

  it('has the server refuse to start with the placeholder token, or with none, and say why', async () => {
    const env = envOf(podOf(object('Deployment', 'baton-server')).container);
    const api = { BATON_HOST: env['BATON_HOST'] ?? '', BATON_PORT: env['BATON_PORT'] ?? '' };
    const token = scalar(get(object('Secret', 'baton-secrets'), 'stringData'), 'BATON_API_TOKEN') ?? '';
    const placeholder = await runBaton(['serve'], { ...api, BATON_API_TOKEN: token });
    expect(placeholder.code).toBe(2);
    expect(placeholder.output).toMatch(/BATON_API_TOKEN must be at least 16 characters/);
    const none = await runBaton(['serve'], api);
    expect(none.code).toBe(2);
    expect(none.output).toMatch(/refusing to serve the API on 0\.0\.0\.0 without a token/);
  });

  it('keeps both Deployments unprivileged, on a read-only root filesystem', () => {
    for (const name of ['baton-server', 'baton-worker']) {
      const { pod, container } = podOf(object('Deployment', name));
      expect(scalar(get(pod, 'securityContext'), 'runAsNonRoot'), name).toBe('true');
      const security = get(container, 'securityContext');
      expect(scalar(security, 'readOnlyRootFilesystem'), name).toBe('true');
      expect(scalar(security, 'allowPrivilegeEscalation'), name).toBe('false');
      expect(scalars(get(security, 'capabilities'), 'drop'), name).toEqual(['ALL']);
    }
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

  it('has the ClusterIP Service baton-api over the servers’ API port, and over no worker', () => {
    const service = object('Service', 'baton-api');
    expect(scalar(get(service, 'spec'), 'type') ?? 'ClusterIP').toBe('ClusterIP');
    const selector = entries(get(service, 'spec', 'selector'));
    expect(selector.length).toBeGreaterThan(0);
    const labels = (name: string): Line[] =>
      get(object('Deployment', name), 'spec', 'template', 'metadata', 'labels');
    const selects = (name: string): boolean =>
      selector.every(({ key, value }) => scalar(labels(name), key) === unquote(value));
    expect(selects('baton-server')).toBe(true);
    expect(selects('baton-worker')).toBe(false);
    const [port] = items(get(service, 'spec', 'ports'));
    expect(scalar(port, 'targetPort')).toBe('http');
    const { container } = podOf(object('Deployment', 'baton-server'));
    expect(scalar(port, 'port')).toBe(envOf(container)['BATON_PORT']);
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
    for (const [name, lines] of baton) {
      expect(scalar(get(lines, 'environment'), 'BATON_POOLS'), name).toBe(pools);
    }
  });

  it('serves the API from the server, published on the host’s loopback only, with a required token', () => {
    const server = services['server'];
    const environment = get(server, 'environment');
    expect(scalar(environment, 'BATON_HOST')).toBe('0.0.0.0');
    const port = scalar(environment, 'BATON_PORT') ?? '';
    expect(port).toMatch(/^[1-9]\d*$/);
    // Taken from the shell that runs compose, which stops with this message when it is not set. No `$` in the
    // message: compose would read it as another variable.
    expect(scalar(environment, 'BATON_API_TOKEN')).toMatch(/^\$\{BATON_API_TOKEN:\?[^$}]*16[^$}]*\}$/);
    expect(scalars(server, 'ports')).toEqual([`127.0.0.1:${port}:${port}`]);
    // Checked on /healthz of that port, as the workers are on theirs.
    const check = scalars(get(server, 'healthcheck'), 'test');
    expect(check.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    const workerCheck = scalars(get(services['worker'], 'healthcheck'), 'test');
    expect(check).toEqual(workerCheck.map((part) => part.replace(':9464/', `:${port}/`)));
    for (const key of ['interval', 'timeout', 'retries']) {
      expect(scalar(get(server, 'healthcheck'), key), key).toBeDefined();
    }
    // The workers listen on their metrics port only, and get neither the API settings nor the token.
    for (const name of ['worker', 'worker-legal']) {
      for (const key of ['BATON_HOST', 'BATON_PORT', 'BATON_API_TOKEN']) {
        expect(scalar(get(services[name], 'environment'), key), `${name} ${key}`).toBeUndefined();
      }
      expect(scalars(services[name], 'ports'), name).toEqual(['127.0.0.1::9464']);
    }
  });

  it('lets a one-off `run` in the server’s container run, ignoring the API settings', async () => {
    const environment = get(services['server'], 'environment');
    // The server's host and port without a token: were `run` to listen, it would be refused.
    const { code, output } = await runBaton(
      ['run', 'templates/rfp-response.json', '--input-file', 'examples/inputs/rfp-response.json'],
      {
        BATON_HOST: scalar(environment, 'BATON_HOST') ?? '',
        BATON_PORT: scalar(environment, 'BATON_PORT') ?? '',
      },
    );
    expect(output).not.toMatch(/BATON_API_TOKEN|refusing|listening/);
    expect(code).toBe(0);
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

  it('exposes the ports the server and the workers listen on', () => {
    const exposed = runtime
      .split('\n')
      .filter((line) => line.startsWith('EXPOSE '))
      .flatMap((line) => line.slice('EXPOSE '.length).trim().split(/\s+/));
    const server = podOf(object('Deployment', 'baton-server')).container;
    const workerArgs = scalars(podOf(object('Deployment', 'baton-worker')).container, 'args');
    const metricsPort = workerArgs[workerArgs.indexOf('--metrics-port') + 1];
    const composePort = scalar(get(composeServices()['server'], 'environment'), 'BATON_PORT');
    expect(exposed.sort()).toEqual([envOf(server)['BATON_PORT'], metricsPort].sort());
    expect(exposed).toContain(composePort);
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

describe('deploy/README.md', () => {
  const readme = read('deploy/README.md');

  it('tells how to reach the API where the files publish it, and links its reference', () => {
    const port = scalar(get(composeServices()['server'], 'environment'), 'BATON_PORT') ?? '';
    expect(readme).toContain(`http://127.0.0.1:${port}`);
    expect(readme).toContain('Authorization: Bearer $BATON_API_TOKEN');
    const service = object('Service', 'baton-api');
    const [servicePort] = items(get(service, 'spec', 'ports'));
    const name = scalar(get(service, 'metadata'), 'name') ?? '';
    expect(readme).toMatch(
      new RegExp(`kubectl port-forward .*svc/${name} ${scalar(servicePort, 'port')}\\b`),
    );
    expect(readme).toContain('(../docs/api.md');
    expect(existsSync(join(root, 'docs/api.md'))).toBe(true);
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
    // The server's API settings, which deploy/ sets in the environment.
    const serve = await help('serve');
    for (const name of ['BATON_HOST', 'BATON_PORT', 'BATON_API_TOKEN']) expect(serve, name).toContain(name);
  });
});
