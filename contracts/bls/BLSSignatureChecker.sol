// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBLSApkRegistry} from "../interfaces/IBLSApkRegistry.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";
import {IOperatorStakeTable} from "../interfaces/IOperatorStakeTable.sol";
import {BLS12381} from "./BLS12381.sol";

/// @title BLSSignatureChecker
/// @notice Stake-weighted BLS certificate check for one operator set: APK at the reference block minus
/// the non-signers' keys must verify the aggregate signature; signed stake = total - non-signers' stake.
contract BLSSignatureChecker is IBLSSignatureChecker {
    using BLS12381 for BLS12381.G1Point;

    /// @inheritdoc IBLSSignatureChecker
    IBLSApkRegistry public immutable apkRegistry;
    /// @inheritdoc IBLSSignatureChecker
    IOperatorStakeTable public immutable stakeTable;

    constructor(IBLSApkRegistry registry, IOperatorStakeTable stakes) {
        apkRegistry = registry;
        stakeTable = stakes;
    }

    /// @inheritdoc IBLSSignatureChecker
    function checkSignatures(
        bytes32 msgHash,
        uint32 referenceBlock,
        NonSignerStakesAndSignature calldata params
    ) external view returns (StakeTotals memory totals, bytes32 signatoryRecordHash) {
        if (referenceBlock >= block.number) revert ReferenceBlockNotInPast(referenceBlock, block.number);
        totals.totalStake = stakeTable.totalStakeAt(referenceBlock);
        if (totals.totalStake == 0) revert NoStakeAtReferenceBlock(referenceBlock);

        BLS12381.G1Point memory apk = apkRegistry.getApkAtBlock(referenceBlock, params.apkIndex);
        uint256 count = params.nonSignerPubkeys.length;
        bytes32[] memory nonSignerHashes = new bytes32[](count);
        uint256 nonSignerStake;
        for (uint256 i = 0; i < count; ++i) {
            BLS12381.G1Point memory pubkey = params.nonSignerPubkeys[i];
            bytes32 pubkeyHash = keccak256(abi.encode(pubkey));
            if (i != 0 && uint256(pubkeyHash) <= uint256(nonSignerHashes[i - 1])) revert NonSignersNotSorted(i);
            nonSignerHashes[i] = pubkeyHash;
            address operator = apkRegistry.pubkeyHashToOperator(pubkeyHash);
            if (operator == address(0)) revert UnknownNonSigner(pubkeyHash);
            if (!apkRegistry.wasMemberAt(operator, referenceBlock)) revert NonSignerNotMember(operator, referenceBlock);
            nonSignerStake += stakeTable.operatorStakeAt(operator, referenceBlock);
            apk = apk.add(pubkey.negate());
        }

        BLS12381.G2Point memory message = BLS12381.hashToG2(abi.encodePacked(msgHash), BLS12381.DST_SIGNATURE);
        if (!BLS12381.verify(apk, message, params.sigma)) revert InvalidAggregateSignature();

        totals.signedStake = totals.totalStake - nonSignerStake;
        signatoryRecordHash = keccak256(abi.encodePacked(referenceBlock, nonSignerHashes));
    }
}
