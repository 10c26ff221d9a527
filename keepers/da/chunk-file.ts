/**
 * The binary form of one chunk (one file under DIR/chunks/, or one value in a DA node's store):
 *
 *   magic "VCDACHK1" (8) | ratio u8 | reserved u8 (0) | cellsPerChunk u16 | blobIndex u32 | chunkIndex u32 |
 *   blob commitment (48) | data (cellsPerChunk x 2048) | proofs (cellsPerChunk x 48)        (big-endian)
 */
import { BYTES_PER_CELL, BYTES_PER_COMMITMENT, BYTES_PER_PROOF } from "./coding.js";
import { InvalidChunkError } from "./errors.js";
import type { Chunk } from "./types.js";

const MAGIC = Buffer.from("VCDACHK1", "ascii");
export const CHUNK_HEADER_BYTES = 8 + 1 + 1 + 2 + 4 + 4 + BYTES_PER_COMMITMENT;

export function chunkFileName(blobIndex: number, chunkIndex: number): string {
  return `b${String(blobIndex).padStart(6, "0")}-c${String(chunkIndex).padStart(5, "0")}.chunk`;
}

/** Parses `b000012-c00034.chunk` into its blob and chunk indices (undefined for any other name). */
export function parseChunkFileName(name: string): { blobIndex: number; chunkIndex: number } | undefined {
  const m = /^b(\d{6,})-c(\d{5,})\.chunk$/.exec(name);
  return m ? { blobIndex: Number(m[1]), chunkIndex: Number(m[2]) } : undefined;
}

export function serializeChunk(chunk: Chunk, ratio: number): Uint8Array {
  const cellsPerChunk = chunk.data.length / BYTES_PER_CELL;
  const out = new Uint8Array(CHUNK_HEADER_BYTES + chunk.data.length + chunk.proofs.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(8, ratio);
  view.setUint16(10, cellsPerChunk);
  view.setUint32(12, chunk.blobIndex);
  view.setUint32(16, chunk.index);
  out.set(chunk.commitment, 20);
  out.set(chunk.data, CHUNK_HEADER_BYTES);
  out.set(chunk.proofs, CHUNK_HEADER_BYTES + chunk.data.length);
  return out;
}

/**
 * Parses a chunk, checking its framing against the expected coding parameters. Throws InvalidChunkError
 * naming what is wrong (the proof itself is checked by verifyChunkBatch).
 */
export function parseChunk(
  bytes: Uint8Array,
  expected: { ratio: number; cellsPerChunk: number },
  source = "chunk",
): { chunk: Chunk; ratio: number } {
  if (bytes.length < CHUNK_HEADER_BYTES) {
    throw new InvalidChunkError(source, `truncated: ${bytes.length} bytes, the header alone is ${CHUNK_HEADER_BYTES}`);
  }
  if (!Buffer.from(bytes.subarray(0, 8)).equals(MAGIC)) throw new InvalidChunkError(source, "not a vcloud DA chunk");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const ratio = view.getUint8(8);
  // Byte 9 is reserved (serializeChunk writes 0): a non-zero value is not a chunk this code wrote.
  if (view.getUint8(9) !== 0)
    throw new InvalidChunkError(source, `reserved header byte 9 is ${view.getUint8(9)}, not 0`);
  const cellsPerChunk = view.getUint16(10);
  if (ratio !== expected.ratio) throw new InvalidChunkError(source, `ratio ${ratio}, expected ${expected.ratio}`);
  if (cellsPerChunk !== expected.cellsPerChunk) {
    throw new InvalidChunkError(source, `${cellsPerChunk} cells per chunk, expected ${expected.cellsPerChunk}`);
  }
  const dataBytes = cellsPerChunk * BYTES_PER_CELL;
  const total = CHUNK_HEADER_BYTES + dataBytes + cellsPerChunk * BYTES_PER_PROOF;
  if (bytes.length !== total) {
    throw new InvalidChunkError(source, `${bytes.length} bytes, expected ${total} (truncated or padded)`);
  }
  const copy = new Uint8Array(bytes);
  return {
    ratio,
    chunk: {
      blobIndex: view.getUint32(12),
      index: view.getUint32(16),
      commitment: copy.subarray(20, 20 + BYTES_PER_COMMITMENT),
      data: copy.subarray(CHUNK_HEADER_BYTES, CHUNK_HEADER_BYTES + dataBytes),
      proofs: copy.subarray(CHUNK_HEADER_BYTES + dataBytes),
    },
  };
}
