// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBlobElementVerifier} from "../interfaces/IBlobElementVerifier.sol";

/// @title BlobElements
/// @notice Maths and precompile call for proving single elements of EIP-4844-layout blobs against their
/// KZG commitment. Pure/view internal functions; `BlobElementVerifier` exposes them.
library BlobElements {
    /// @notice The BLS12-381 scalar field modulus (EIP-4844 BLS_MODULUS).
    uint256 internal constant BLS_MODULUS =
        52435875175126190479447740508185965837690552500527637822603658699938581184513;
    /// @notice Field elements per blob (EIP-4844 FIELD_ELEMENTS_PER_BLOB).
    uint256 internal constant FIELD_ELEMENTS_PER_BLOB = 4096;
    /// @notice 7^((r - 1) / 4096) mod r: the primitive 4096-th root of unity the Ethereum specs use.
    uint256 internal constant ROOT_OF_UNITY = 0x564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306;
    /// @notice The point-evaluation precompile (EIP-4844).
    address internal constant POINT_EVALUATION = address(0x0a);
    /// @notice Version byte of KZG versioned hashes.
    bytes1 internal constant VERSIONED_HASH_VERSION_KZG = 0x01;

    /// @notice The EIP-4844 versioned hash of a 48-byte commitment.
    function versionedHash(bytes memory commitment) internal pure returns (bytes32) {
        if (commitment.length != 48) revert IBlobElementVerifier.InvalidCommitmentLength(commitment.length);
        bytes32 digest = sha256(commitment);
        return (digest & ~bytes32(uint256(0xff) << 248)) | bytes32(VERSIONED_HASH_VERSION_KZG);
    }

    /// @notice Reverses the low 12 bits of `index` (the blob's bit-reversed element order).
    function reverseBits12(uint256 index) internal pure returns (uint256 reversed) {
        for (uint256 b = 0; b < 12; ++b) {
            reversed = (reversed << 1) | ((index >> b) & 1);
        }
    }

    /// @notice w^brp(index): where the blob polynomial is evaluated for element `index`.
    function evaluationPoint(uint256 index) internal pure returns (uint256 z) {
        if (index >= FIELD_ELEMENTS_PER_BLOB) {
            revert IBlobElementVerifier.ElementIndexOutOfRange(index, FIELD_ELEMENTS_PER_BLOB);
        }
        uint256 e = reverseBits12(index);
        uint256 base = ROOT_OF_UNITY;
        z = 1;
        while (e != 0) {
            if (e & 1 == 1) z = mulmod(z, base, BLS_MODULUS);
            base = mulmod(base, base, BLS_MODULUS);
            e >>= 1;
        }
    }

    /// @notice Calls the precompile; true iff it accepts (versionedHash, z, y, commitment, proof).
    function pointEvaluation(
        bytes32 vh,
        uint256 z,
        uint256 y,
        bytes memory commitment,
        bytes memory proof
    ) internal view returns (bool) {
        (bool ok, bytes memory out) = POINT_EVALUATION.staticcall(abi.encodePacked(vh, z, y, commitment, proof));
        if (!ok || out.length != 64) return false;
        (uint256 elements, uint256 modulus) = abi.decode(out, (uint256, uint256));
        return elements == FIELD_ELEMENTS_PER_BLOB && modulus == BLS_MODULUS;
    }

    /// @notice Whether the blob committed to by `commitment` holds `value` at `index`. Reverts on
    /// malformed input (lengths, index, value outside the field).
    function isElement(
        bytes memory commitment,
        uint256 index,
        uint256 value,
        bytes memory proof
    ) internal view returns (bool) {
        if (proof.length != 48) revert IBlobElementVerifier.InvalidProofLength(proof.length);
        if (value >= BLS_MODULUS) revert IBlobElementVerifier.ValueNotInField(value, BLS_MODULUS);
        bytes32 vh = versionedHash(commitment);
        return pointEvaluation(vh, evaluationPoint(index), value, commitment, proof);
    }
}
