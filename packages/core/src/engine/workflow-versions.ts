import { ConflictError } from '../errors/errors.js';
import { canonicalJson } from '../model/canonical-json.js';
import type { JsonSchema } from '../model/common-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/**
 * The workflow versions the engine runs: saved once, then one object per version in memory, so per-workflow
 * precomputation (graph, compiled expressions, schemas) happens once per version, not once per run.
 */
export class WorkflowVersions {
  readonly #byKey = new Map<string, Workflow>();
  /** Saves in flight, so that runs started together save a new version once. */
  readonly #saving = new Map<string, Promise<Workflow>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Saves a version unless it is saved already, and returns the engine's object for it. A version is
   * immutable: the same id and version with other content is a `ConflictError`, because runs pinned to the
   * version must always see what they started on.
   */
  async save(workflow: Workflow): Promise<Workflow> {
    const key = `${workflow.id}@${workflow.version}`;
    const cached = this.#byKey.get(key);
    if (cached === workflow) return cached;
    const saving = this.#saving.get(key);
    if (saving) {
      await saving.catch(() => undefined);
      if (this.#byKey.has(key)) return this.save(workflow);
    }
    const done = this.#save(key, workflow).finally(() => this.#saving.delete(key));
    this.#saving.set(key, done);
    return done;
  }

  async #save(key: string, workflow: Workflow): Promise<Workflow> {
    const known =
      this.#byKey.get(key) ?? (await this.store.getWorkflow(workflow.id, workflow.version))?.workflow;
    // Compared by content with keys sorted: a store may give keys back in another order (PostgreSQL's jsonb).
    if (known && known !== workflow && canonicalJson(known) !== canonicalJson(workflow)) {
      throw new ConflictError(
        `workflow "${workflow.id}" version ${workflow.version} is already saved with other content; ` +
          'give the changed workflow a new version',
      );
    }
    if (!known) await this.store.saveWorkflow(workflow, this.clock.now());
    const canonical = known ?? workflow;
    this.#byKey.set(key, canonical);
    return canonical;
  }

  /** A saved version (without `version`, the newest), as the engine's one object for it. */
  async load(id: string, version?: string): Promise<Workflow | undefined> {
    const cached = version === undefined ? undefined : this.#byKey.get(`${id}@${version}`);
    if (cached) return cached;
    const stored = await this.store.getWorkflow(id, version);
    if (!stored) return undefined;
    const key = `${stored.workflow.id}@${stored.workflow.version}`;
    const known = this.#byKey.get(key) ?? stored.workflow;
    this.#byKey.set(key, known);
    return known;
  }

  /**
   * The input schema to check a run of `workflow` against: the engine's object for that version when the
   * schema is the same, so a workflow parsed again for every run does not compile its schema every time.
   */
  inputSchema(workflow: Workflow): JsonSchema {
    const known = this.#byKey.get(`${workflow.id}@${workflow.version}`);
    if (!known || known === workflow) return workflow.inputs;
    return canonicalJson(known.inputs) === canonicalJson(workflow.inputs) ? known.inputs : workflow.inputs;
  }
}
