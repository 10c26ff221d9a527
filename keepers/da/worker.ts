/** A KZG worker thread: loads c-kzg and its trusted setup(s) once, then runs tasks from the pool. */
import { parentPort, workerData } from "node:worker_threads";

import { loadKzg, preloadSetups } from "./kzg.js";
import { runTask, transferablesOf, type Task } from "./tasks.js";

const { precompute, preloadRatio } = workerData as { precompute: number; preloadRatio: number };
preloadSetups(preloadRatio, precompute);
const kzg = loadKzg(precompute);
const port = parentPort!;

port.on("message", (message: { id: number; task: Task }) => {
  try {
    const result = runTask(kzg, message.task);
    port.postMessage({ id: message.id, result }, transferablesOf(result));
  } catch (error) {
    const e = error as Error & { field?: string };
    port.postMessage({ id: message.id, error: { name: e.name, message: e.message, field: e.field } });
  }
});
port.postMessage({ ready: true });
