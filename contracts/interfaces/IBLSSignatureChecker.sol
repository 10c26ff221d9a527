// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BLS12381} from "../bls/BLS12381.sol";
import {IBLSApkRegistry} from "./IBLSApkRegistry.sol";
import {IOperatorStakeTable} from "./IOperatorStakeTable.sol";

/// @title IBLSSignatureChecker
/// @notice Checks an aggregate BLS signature of an operator set on a 32-byte message against the set's
/// keys and stakes at a reference block. Signers are "everyone in the set but the listed non-signers";
/// the caller applies its own stake threshold to the returned totals.
interface IBLSSignatureChecker {
    /// @notice Who did not sign, and the aggregate signature of everyone else.
    /// @param nonSignerPubkeys Keys of members that did not sign, in strictly ascending order of their
    /// hash (keccak256 of the encoding), which rules out duplicates.
    /// @param apkIndex Index of the APK history entry in force at the reference block
    /// (`IBLSApkRegistry.getApkIndexAtBlock`).
    /// @param sigma The aggregate signature (G2) of the signers over the message.
    struct NonSignerStakesAndSignature {
        BLS12381.G1Point[] nonSignerPubkeys;
        uint256 apkIndex;
        BLS12381.G2Point sigma;
    }

    /// @notice Stake that signed and total stake at the reference block.
    struct StakeTotals {
        uint256 signedStake;
        uint256 totalStake;
    }

    /// @notice Thrown when the reference block is not in the past.
    error ReferenceBlockNotInPast(uint32 referenceBlock, uint256 currentBlock);
    /// @notice Thrown when non-signer keys are not strictly ascending by hash (duplicates included).
    error NonSignersNotSorted(uint256 index);
    /// @notice Thrown when a listed non-signer key belongs to no registered operator.
    error UnknownNonSigner(bytes32 pubkeyHash);
    /// @notice Thrown when a listed non-signer was not a member at the reference block.
    error NonSignerNotMember(address operator, uint32 referenceBlock);
    /// @notice Thrown when the aggregate signature does not verify.
    error InvalidAggregateSignature();
    /// @notice Thrown when no stake at all was registered at the reference block.
    error NoStakeAtReferenceBlock(uint32 referenceBlock);

    /// @notice The key registry whose APK history is used.
    function apkRegistry() external view returns (IBLSApkRegistry);

    /// @notice The stake table whose weights are used.
    function stakeTable() external view returns (IOperatorStakeTable);

    /// @notice Verifies the aggregate signature over `msgHash` and returns signed and total stake at
    /// `referenceBlock`, plus a hash of (referenceBlock, non-signer key hashes) that identifies the
    /// signatories for later accountability. Reverts with a custom error on any failure.
    function checkSignatures(
        bytes32 msgHash,
        uint32 referenceBlock,
        NonSignerStakesAndSignature calldata params
    ) external view returns (StakeTotals memory totals, bytes32 signatoryRecordHash);
}
