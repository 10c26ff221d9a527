/** A KZG worker thread: loads c-kzg and the trusted setup once, then runs tasks from the pool. */
import { parentPort, workerData } from "node:worker_threads";

import { loadKzg } from "./kzg.js";
import { runTask, transferablesOf, type Task } from "./tasks.js";

const { precompute } = workerData as { precompute: number };
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
