// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {BlobElementVerifier} from "../../../contracts/da/BlobElementVerifier.sol";
import {BlobElements} from "../../../contracts/da/BlobElements.sol";
import {IBlobElementVerifier} from "../../../contracts/interfaces/IBlobElementVerifier.sol";
import {BlobFixtures} from "./fixtures/BlobFixtures.sol";

/// @notice Element proofs made by the TypeScript encoder (c-kzg) verify through the 0x0a precompile, and
/// nothing else does.
contract BlobElementVerifierTest is Test {
    BlobElementVerifier internal verifier;

    function setUp() public {
        verifier = new BlobElementVerifier();
    }

    function test_verifyElement_acceptsEveryProofFromTheTypeScriptEncoder() public view {
        for (uint256 i = 0; i < BlobFixtures.COUNT; ++i) {
            (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(i);
            verifier.verifyElement(BlobFixtures.COMMITMENT, index, value, proof);
            assertTrue(verifier.isElement(BlobFixtures.COMMITMENT, index, value, proof));
        }
    }

    function test_evaluationPoint_matchesTheTypeScriptSide() public view {
        for (uint256 i = 0; i < BlobFixtures.COUNT; ++i) {
            (uint256 index, uint256 z, , ) = BlobFixtures.element(i);
            assertEq(verifier.evaluationPoint(index), z);
        }
    }

    function test_versionedHash_isVersionByteThenSha256Tail() public view {
        assertEq(verifier.versionedHash(BlobFixtures.COMMITMENT), BlobFixtures.VERSIONED_HASH);
    }

    function test_isElement_falseForAWrongValue() public view {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(2);
        assertFalse(verifier.isElement(BlobFixtures.COMMITMENT, index, value ^ 1, proof));
    }

    function test_isElement_falseForTheRightValueAtAnotherIndex() public view {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(2);
        assertFalse(verifier.isElement(BlobFixtures.COMMITMENT, index + 1, value, proof));
    }

    function test_isElement_falseForAnotherBlobsProofOrCommitment() public view {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(2);
        assertEq(index, 7);
        assertFalse(
            verifier.isElement(BlobFixtures.COMMITMENT, 7, BlobFixtures.OTHER_VALUE_7, BlobFixtures.OTHER_PROOF_7)
        );
        assertFalse(verifier.isElement(BlobFixtures.OTHER_COMMITMENT, 7, value, proof));
        assertTrue(
            verifier.isElement(BlobFixtures.OTHER_COMMITMENT, 7, BlobFixtures.OTHER_VALUE_7, BlobFixtures.OTHER_PROOF_7)
        );
    }

    function test_verifyElement_revertsWithPointEvaluationFailed() public {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBlobElementVerifier.PointEvaluationFailed.selector,
                BlobFixtures.VERSIONED_HASH,
                index,
                value + 1
            )
        );
        verifier.verifyElement(BlobFixtures.COMMITMENT, index, value + 1, proof);
    }

    function test_revertsOnMalformedInput() public {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(0);
        vm.expectRevert(abi.encodeWithSelector(IBlobElementVerifier.InvalidCommitmentLength.selector, 47));
        verifier.isElement(new bytes(47), index, value, proof);
        vm.expectRevert(abi.encodeWithSelector(IBlobElementVerifier.InvalidProofLength.selector, 49));
        verifier.isElement(BlobFixtures.COMMITMENT, index, value, new bytes(49));
        vm.expectRevert(abi.encodeWithSelector(IBlobElementVerifier.ElementIndexOutOfRange.selector, 4096, 4096));
        verifier.isElement(BlobFixtures.COMMITMENT, 4096, value, proof);
        uint256 modulus = BlobElements.BLS_MODULUS;
        vm.expectRevert(abi.encodeWithSelector(IBlobElementVerifier.ValueNotInField.selector, modulus, modulus));
        verifier.isElement(BlobFixtures.COMMITMENT, index, modulus, proof);
    }

    function testFuzz_evaluationPoint_isADistinct4096thRootOfUnity(uint256 a, uint256 b) public view {
        a = bound(a, 0, 4095);
        b = bound(b, 0, 4095);
        uint256 za = verifier.evaluationPoint(a);
        uint256 x = za;
        for (uint256 i = 0; i < 12; ++i) x = mulmod(x, x, BlobElements.BLS_MODULUS);
        assertEq(x, 1, "w^brp(i) raised to 4096 is 1");
        if (a != b) assertTrue(za != verifier.evaluationPoint(b), "distinct indices, distinct points");
    }

    function testFuzz_isElement_rejectsEveryOtherValue(uint256 wrong) public view {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(4);
        wrong = bound(wrong, 0, BlobElements.BLS_MODULUS - 1);
        vm.assume(wrong != value);
        assertFalse(verifier.isElement(BlobFixtures.COMMITMENT, index, wrong, proof));
    }

    function testFuzz_isElement_rejectsTheProofAtEveryOtherIndex(uint256 other) public view {
        (uint256 index, , uint256 value, bytes memory proof) = BlobFixtures.element(1);
        other = bound(other, 0, 4095);
        vm.assume(other != index);
        assertFalse(verifier.isElement(BlobFixtures.COMMITMENT, other, value, proof));
    }
}
