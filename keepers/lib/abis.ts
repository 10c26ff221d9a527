// Typed ABIs of every vcloud contract, generated from the build (scripts/gen-abis.ts).
export * from "../generated/abis.js";
