// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ISignatureUtilsMixin
/// @notice Signature types and errors shared by the contracts that accept EIP-712 signatures.
interface ISignatureUtilsMixin {
    /// @notice An EIP-712 (or ERC-1271) signature with the timestamp after which it is void.
    struct SignatureWithExpiry {
        bytes signature;
        uint256 expiry;
    }

    /// @notice Thrown when a signature does not verify for the expected signer.
    error InvalidSignature(address signer);
    /// @notice Thrown when a signature's expiry timestamp has passed.
    error SignatureExpired(uint256 expiry, uint256 timestamp);

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function domainSeparator() external view returns (bytes32);
}
