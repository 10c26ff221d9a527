// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {
    IForkChallengeManager,
    IForkChallengeManagerErrors,
    IForkChallengeManagerTypes
} from "../../../contracts/interfaces/IForkChallengeManager.sol";
import {ForkChallengeManager} from "../../../contracts/fork/ForkChallengeManager.sol";
import {ForkWorld} from "./ForkFixture.sol";

contract ForkChallengeManagerTest is ForkWorld {
    function test_openingBurnsTheCommitmentAndRecordsTheChallenge() public {
        uint256 supplyBefore = bEigen.totalSupply();
        uint256 id = _openChallenge();
        assertEq(id, 1);
        assertEq(bEigen.totalSupply(), supplyBefore - COMMITMENT);
        assertEq(bEigen.balanceOf(challenger), CHALLENGER - COMMITMENT);
        IForkChallengeManager.Challenge memory c = manager.getChallenge(id);
        assertEq(c.challenger, challenger);
        assertEq(address(c.token), address(bEigen));
        assertEq(c.timepoint, block.timestamp);
        assertEq(c.expiresAt, block.timestamp + RESOLUTION_WINDOW);
        assertEq(c.commitment, COMMITMENT);
        assertEq(c.evidencePointer, bytes("da-cert:0xabc"));
        assertTrue(manager.isAccused(id, badOperator));
        assertFalse(manager.isAccused(id, alice));
        (bool open, uint256 active) = manager.activeChallenge();
        assertTrue(open);
        assertEq(active, id);
    }

    function test_commitmentBelowCPFIsRefused() public {
        uint256 required = (bEigen.totalSupply() * CPF) / WAD;
        assertEq(manager.requiredCommitment(), required);
        vm.startPrank(challenger);
        bEigen.approve(address(manager), required);
        vm.expectRevert(
            abi.encodeWithSelector(IForkChallengeManagerErrors.CommitmentBelowCPF.selector, required - 1, required)
        );
        manager.openChallenge(_accused(badOperator), keccak256("e"), bytes("p"), required - 1);
    }

    /// @dev CPF rounds up: any commitment at or above ceil(CPF * supply) opens, anything below does not.
    function testFuzz_cpfBound(uint256 commitment) public {
        uint256 required = manager.requiredCommitment();
        commitment = bound(commitment, 0, CHALLENGER);
        vm.startPrank(challenger);
        bEigen.approve(address(manager), commitment);
        if (commitment < required) {
            vm.expectRevert(
                abi.encodeWithSelector(IForkChallengeManagerErrors.CommitmentBelowCPF.selector, commitment, required)
            );
        }
        manager.openChallenge(_accused(badOperator), keccak256("e"), bytes("p"), commitment);
    }

    function test_accusedMustBeStrictlyAscendingAndNonEmpty() public {
        vm.startPrank(challenger);
        bEigen.approve(address(manager), COMMITMENT);
        vm.expectRevert(IForkChallengeManagerErrors.NoAccusedOperators.selector);
        manager.openChallenge(new address[](0), keccak256("e"), bytes("p"), COMMITMENT);
        address[] memory list = new address[](2);
        list[0] = address(0xB);
        list[1] = address(0xA);
        vm.expectRevert(
            abi.encodeWithSelector(IForkChallengeManagerErrors.AccusedNotStrictlyAscending.selector, 1, address(0xA))
        );
        manager.openChallenge(list, keccak256("e"), bytes("p"), COMMITMENT);
        list[1] = address(0xB);
        vm.expectRevert(
            abi.encodeWithSelector(IForkChallengeManagerErrors.AccusedNotStrictlyAscending.selector, 1, address(0xB))
        );
        manager.openChallenge(list, keccak256("e"), bytes("p"), COMMITMENT);
    }

    function test_evidenceMustBeGiven() public {
        vm.startPrank(challenger);
        bEigen.approve(address(manager), COMMITMENT);
        vm.expectRevert(IForkChallengeManagerErrors.EmptyEvidence.selector);
        manager.openChallenge(_accused(badOperator), bytes32(0), bytes("p"), COMMITMENT);
        vm.expectRevert(IForkChallengeManagerErrors.EmptyEvidence.selector);
        manager.openChallenge(_accused(badOperator), keccak256("e"), bytes(""), COMMITMENT);
    }

    function test_oneChallengeAtATime() public {
        uint256 id = _openChallenge();
        vm.startPrank(challenger);
        bEigen.approve(address(manager), COMMITMENT);
        vm.expectRevert(abi.encodeWithSelector(IForkChallengeManagerErrors.ChallengeAlreadyOpen.selector, id));
        manager.openChallenge(_accused(badOperator), keccak256("e"), bytes("p"), COMMITMENT);
    }

    function test_unresolvedChallengeExpiresAndUnfreezes() public {
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + RESOLUTION_WINDOW - 1);
        assertEq(uint8(manager.statusOf(id)), uint8(IForkChallengeManagerTypes.ChallengeStatus.Open));
        vm.warp(block.timestamp + 1);
        assertEq(uint8(manager.statusOf(id)), uint8(IForkChallengeManagerTypes.ChallengeStatus.Expired));
        (bool open, ) = manager.activeChallenge();
        assertFalse(open);
        // a new challenge may now be opened
        assertEq(_openChallenge(), 2);
    }

    function test_onlyTheRegistryResolves() public {
        uint256 id = _openChallenge();
        vm.expectRevert(abi.encodeWithSelector(IForkChallengeManagerErrors.OnlyRegistry.selector, address(this)));
        manager.resolve(id, false);
    }

    function test_governanceRejectsThroughTheTimelock() public {
        uint256 id = _openChallenge();
        _govern(address(registry), abi.encodeCall(registry.rejectChallenge, (id)));
        assertEq(uint8(manager.statusOf(id)), uint8(IForkChallengeManagerTypes.ChallengeStatus.Rejected));
        assertEq(address(registry.canonicalToken()), address(bEigen));
    }

    function test_resolvingAClosedChallengeIsRefused() public {
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + RESOLUTION_WINDOW);
        vm.prank(address(registry));
        vm.expectRevert(
            abi.encodeWithSelector(
                IForkChallengeManagerErrors.ChallengeNotOpen.selector,
                id,
                IForkChallengeManagerTypes.ChallengeStatus.Expired
            )
        );
        manager.resolve(id, true);
    }

    function test_parametersAreBounded() public {
        vm.expectRevert(IForkChallengeManagerErrors.InvalidParameters.selector);
        new ForkChallengeManager(registry, 0, 1, 2);
        vm.expectRevert(IForkChallengeManagerErrors.InvalidParameters.selector);
        new ForkChallengeManager(registry, WAD + 1, 1, 2);
        vm.expectRevert(IForkChallengeManagerErrors.InvalidParameters.selector);
        new ForkChallengeManager(registry, CPF, 2, 2);
    }
}
