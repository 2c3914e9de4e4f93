import type { RunStatus, TaskStatus } from './lifecycle.js';

/** An error as it is stored and shown: plain data, never an Error object. */
export interface ErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** One run of one workflow version: the row the store keeps. */
export interface RunRecord {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: RunStatus;
  priority: number;
  input: Record<string, unknown>;
  vars: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: ErrorInfo;
  costUsd: number;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The run that started this one through a subworkflow node, and that node's task key. */
  parent?: { runId: string; taskKey: string };
  /** Free-form labels given when the run was started. */
  labels?: Record<string, string>;
  /** The process that drives the run, and until when its claim holds (ms since epoch). */
  owner?: string;
  leaseUntil?: number;
}

/**
 * One execution of one node in one scope instance of a run. `key` is the node id prefixed by the loop
 * iterations it sits in (`review[2].score`); see docs/adr/0003-execution-semantics.md.
 */
export interface TaskRecord {
  runId: string;
  key: string;
  nodeId: string;
  status: TaskStatus;
  /** 1 for the first attempt. A recovered in-flight attempt keeps its number (same idempotency key). */
  attempt: number;
  /** The agent that ran it, `id@version`, for agent nodes. */
  agent?: string;
  input?: unknown;
  output?: unknown;
  error?: ErrorInfo;
  /** The port the task left through once settled (`out`, `true`, `approved`, `error`, …). */
  port?: string;
  costUsd: number;
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** When a waiting task's timer fires: retry back-off, wait node, approval deadline (ms since epoch). */
  wakeAt?: number;
  /** Progress an agent saved during a long task; given back to a retried or recovered attempt. */
  checkpoint?: unknown;
}
