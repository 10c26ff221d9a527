// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IBlobElementVerifier
/// @notice Checks, with the EIP-4844 point-evaluation precompile (0x0a), that a KZG-committed blob holds a
/// given field element at a given index. This is the on-chain half of a fraud proof over DA data: the
/// blob's commitment (from a DA certificate) plus a 48-byte KZG proof produced off-chain by `vcloud` show
/// what the blob says at one position.
/// @dev Blob layout is EIP-4844's: element i is the blob polynomial evaluated at w^brp(i), w the primitive
/// 4096-th root of unity of the BLS12-381 scalar field and brp the 12-bit bit reversal.
interface IBlobElementVerifier {
    /// @notice The commitment must be a 48-byte compressed G1 point.
    error InvalidCommitmentLength(uint256 length);
    /// @notice The proof must be a 48-byte compressed G1 point.
    error InvalidProofLength(uint256 length);
    /// @notice A blob has `fieldElementsPerBlob` elements; `index` is past the end.
    error ElementIndexOutOfRange(uint256 index, uint256 fieldElementsPerBlob);
    /// @notice The claimed element is not below the BLS12-381 scalar modulus.
    error ValueNotInField(uint256 value, uint256 modulus);
    /// @notice The precompile rejected the proof: the committed blob does not hold `value` at `index`.
    error PointEvaluationFailed(bytes32 versionedHash, uint256 index, uint256 value);

    /// @notice Reverts with `PointEvaluationFailed` unless the blob committed to by `commitment` holds
    /// `value` at position `index` (0..4095), as shown by the KZG opening `proof`.
    /// @param commitment 48-byte KZG commitment of the blob (c-kzg `blobToKzgCommitment`).
    /// @param index Element position in the blob.
    /// @param value The claimed element, a field element.
    /// @param proof 48-byte KZG proof of the evaluation at `evaluationPoint(index)`.
    function verifyElement(bytes calldata commitment, uint256 index, uint256 value, bytes calldata proof) external view;

    /// @notice Like `verifyElement` but returns false instead of reverting when the proof fails. Malformed
    /// input (lengths, index, value out of range) still reverts with its error.
    function isElement(
        bytes calldata commitment,
        uint256 index,
        uint256 value,
        bytes calldata proof
    ) external view returns (bool);

    /// @notice The evaluation point of blob position `index`: w^brp(index).
    function evaluationPoint(uint256 index) external pure returns (uint256);

    /// @notice The EIP-4844 versioned hash of a commitment: 0x01 || sha256(commitment)[1:].
    function versionedHash(bytes calldata commitment) external pure returns (bytes32);
}
