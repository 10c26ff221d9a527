// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IBLS12381Errors
/// @notice Errors of the BLS12-381 library (EIP-2537 precompiles).
interface IBLS12381Errors {
    /// @notice Thrown when an EIP-2537 precompile call fails (invalid point encoding, not on the curve,
    /// not in the subgroup where the precompile checks it, or the chain lacks the precompile).
    error BLSPrecompileFailed(address precompile);
    /// @notice Thrown when a field element is not canonical (>= p) or its top 16 bytes are not zero.
    error BLSInvalidFieldElement();
    /// @notice Thrown when the domain separation tag is empty or longer than 255 bytes.
    error BLSInvalidDST(uint256 length);
}
