// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBlobElementVerifier} from "../interfaces/IBlobElementVerifier.sol";
import {BlobElements} from "./BlobElements.sol";

/// @title BlobElementVerifier
/// @notice Stateless verifier that a KZG-committed blob holds a given element at a given index, for fraud
/// proofs over vcloud DA data. See `IBlobElementVerifier` and docs/da.md.
contract BlobElementVerifier is IBlobElementVerifier {
    /// @inheritdoc IBlobElementVerifier
    function verifyElement(
        bytes calldata commitment,
        uint256 index,
        uint256 value,
        bytes calldata proof
    ) external view {
        if (!BlobElements.isElement(commitment, index, value, proof)) {
            revert PointEvaluationFailed(BlobElements.versionedHash(commitment), index, value);
        }
    }

    /// @inheritdoc IBlobElementVerifier
    function isElement(
        bytes calldata commitment,
        uint256 index,
        uint256 value,
        bytes calldata proof
    ) external view returns (bool) {
        return BlobElements.isElement(commitment, index, value, proof);
    }

    /// @inheritdoc IBlobElementVerifier
    function evaluationPoint(uint256 index) external pure returns (uint256) {
        return BlobElements.evaluationPoint(index);
    }

    /// @inheritdoc IBlobElementVerifier
    function versionedHash(bytes calldata commitment) external pure returns (bytes32) {
        return BlobElements.versionedHash(commitment);
    }
}
