/**
 * Runs DA tasks on worker threads (one per core by default), each with its own c-kzg setups, or inline on
 * the calling thread. Both implement TaskRunner, so the pipelines do not care which they get.
 *
 * Every thread loads the standard setup at start and a coset's shifted setup the first time a task needs
 * it (kzg.ts), so a thread holds at most R/2 = 4 setups (about 100 MB each at precompute 8 for proving,
 * 3 MB for verifying only) and a ratio-2 workload never loads a shifted one. `preloadRatio` loads a ratio's setups up front instead, so the
 * first blobs are not slower (benchmarks).
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import { VcloudError } from "../lib/errors.js";
import { codingParams } from "./coding.js";
import { InvalidCodingParamsError } from "./errors.js";
import { DEFAULT_PRECOMPUTE, loadKzg } from "./kzg.js";
import { runTask, type Task, type TaskResult } from "./tasks.js";

export interface TaskRunner {
  /** How many tasks run at once. */
  readonly size: number;
  run<T extends Task>(task: T): Promise<TaskResult<T>>;
  close(): Promise<void>;
}

export type PoolOptions = {
  /** Worker threads; default one per core. */
  workers?: number;
  /** c-kzg precompute level per worker (0..15, default 8). */
  precompute?: number;
  /** Load every setup this coding ratio needs when each worker starts (default: on first use). */
  preloadRatio?: number;
};

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

// Workers run the TypeScript sources through tsx's loader, whatever started this process (tsx, vitest).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

type Pending = { resolve: (v: never) => void; reject: (e: unknown) => void };
type Slot = { worker: Worker; busy: boolean; pending?: Pending; id?: number };

export class WorkerPool implements TaskRunner {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: { task: Task; pending: Pending }[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(size: number) {
    this.size = size;
  }

  /** Starts the workers and waits until each has loaded its trusted setup. */
  static async create(options: PoolOptions = {}): Promise<WorkerPool> {
    const size = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw new InvalidCodingParamsError("workers", `must be an integer 1..256, got ${size}`);
    }
    const pool = new WorkerPool(size);
    const precompute = options.precompute ?? DEFAULT_PRECOMPUTE;
    const preloadRatio = codingParams({ ratio: options.preloadRatio ?? 2 }).ratio;
    await Promise.all(Array.from({ length: size }, () => pool.spawn(precompute, preloadRatio)));
    return pool;
  }

  private spawn(precompute: number, preloadRatio: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), {
        workerData: { precompute, preloadRatio },
        execArgv: ["--import", tsxLoader],
      });
      const slot: Slot = { worker, busy: false };
      let ready = false;
      worker.on("message", (msg: { ready?: boolean; id?: number; result?: unknown; error?: WorkerError }) => {
        if (msg.ready) {
          ready = true;
          this.slots.push(slot);
          resolve();
          this.pump();
          return;
        }
        const pending = slot.pending!;
        slot.busy = false;
        slot.pending = undefined;
        if (msg.error) pending.reject(rebuildError(msg.error));
        else pending.resolve(msg.result as never);
        this.pump();
      });
      const fail = (error: Error) => {
        this.failure ??= error;
        if (!ready) reject(error);
        slot.pending?.reject(new VcloudError(`DA worker failed: ${error.message}`, { cause: error }));
        slot.pending = undefined;
        for (const q of this.queue.splice(0)) q.pending.reject(this.failure);
      };
      worker.on("error", fail);
      worker.on("exit", (code) => {
        if (!this.closed) fail(new Error(`worker exited with code ${code}`));
      });
    });
  }

  run<T extends Task>(task: T): Promise<TaskResult<T>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new VcloudError("DA worker pool is closed"));
    return new Promise<TaskResult<T>>((resolve, reject) => {
      this.queue.push({ task, pending: { resolve: resolve as (v: never) => void, reject } });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const { task, pending } = this.queue.shift()!;
      slot.busy = true;
      slot.pending = pending;
      slot.worker.postMessage({ id: this.nextId++, task });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** Runs tasks on the calling thread (loads c-kzg here). For small jobs and for DA nodes' verification. */
export class InlineRunner implements TaskRunner {
  readonly size = 1;

  constructor(precompute = DEFAULT_PRECOMPUTE) {
    loadKzg(precompute);
  }

  async run<T extends Task>(task: T): Promise<TaskResult<T>> {
    return runTask(loadKzg(), task);
  }

  async close(): Promise<void> {}
}

type WorkerError = { name: string; message: string; field?: string };

function rebuildError(e: WorkerError): Error {
  const error = new VcloudError(e.message, { exitCode: e.field ? 2 : 1 });
  error.name = e.name;
  return error;
}
