// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "../../../contracts/interfaces/IBackingEigen.sol";
import {IEigen, IEigenErrors} from "../../../contracts/interfaces/IEigen.sol";
import {IForkDistributor} from "../../../contracts/interfaces/IForkDistributor.sol";
import {ForkWorld} from "./ForkFixture.sol";

contract EigenTest is ForkWorld {
    address internal carol = makeAddr("carol");

    function _assertBacked() internal view {
        assertEq(eigen.wrappedSupply(), eigen.backingHeld(), "EIGEN in circulation != backing held");
    }

    // --- Wrap / unwrap -------------------------------------------------------------------------------------

    function test_totalSupplyMirrorsTheBackingSupply() public view {
        assertEq(eigen.totalSupply(), bEigen.totalSupply());
        assertEq(eigen.wrappedSupply(), BOB);
        _assertBacked();
    }

    /// @dev Wrapping then unwrapping any amounts returns exactly what went in and keeps EIGEN fully backed.
    function testFuzz_wrapUnwrapConservation(uint256 wrapAmount, uint256 unwrapAmount) public {
        wrapAmount = bound(wrapAmount, 1, ALICE);
        unwrapAmount = bound(unwrapAmount, 1, wrapAmount);
        uint256 supply = bEigen.totalSupply();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), wrapAmount);
        eigen.wrap(wrapAmount);
        _assertBacked();
        eigen.unwrap(unwrapAmount);
        vm.stopPrank();
        assertEq(eigen.balanceOf(alice), wrapAmount - unwrapAmount);
        assertEq(bEigen.balanceOf(alice), ALICE - wrapAmount + unwrapAmount);
        assertEq(bEigen.totalSupply(), supply);
        _assertBacked();
    }

    function test_zeroAmountsAreRefused() public {
        vm.expectRevert(IEigenErrors.ZeroAmount.selector);
        eigen.wrap(0);
        vm.expectRevert(IEigenErrors.ZeroAmount.selector);
        eigen.unwrap(0);
    }

    function test_burnDestroysEigenAndItsBacking() public {
        uint256 supply = bEigen.totalSupply();
        vm.prank(bob);
        eigen.approve(address(this), 10e18);
        eigen.burnFrom(bob, 10e18);
        assertEq(eigen.balanceOf(bob), BOB - 10e18);
        assertEq(bEigen.totalSupply(), supply - 10e18);
        assertEq(eigen.totalSupply(), supply - 10e18);
        _assertBacked();
    }

    // --- Freeze during a challenge -------------------------------------------------------------------------

    function test_openingAChallengeFreezesWrapsFromThatBlock() public {
        uint256 id = _openChallenge();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IEigenErrors.WrapsFrozen.selector, id));
        eigen.wrap(1e18);
    }

    function test_unwrapAlwaysWorksAndIsRecordedAfterTheTimepoint() public {
        uint256 id = _openChallenge();
        vm.prank(bob);
        eigen.unwrap(1e18); // same block as the challenge: part of the snapshot, not recorded
        assertEq(eigen.unwrappedDuring(id, bob), 0);
        vm.warp(block.timestamp + 1);
        vm.prank(bob);
        eigen.unwrap(2e18);
        assertEq(eigen.unwrappedDuring(id, bob), 2e18);
        assertEq(bEigen.balanceOf(bob), 3e18);
        _assertBacked();
    }

    function test_queuedWrapCompletesAfterARejectedChallenge() public {
        uint256 id = _openChallenge();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 5e18);
        uint256 wrapId = eigen.queueWrap(5e18);
        vm.expectRevert(abi.encodeWithSelector(IEigenErrors.WrapsFrozen.selector, id));
        eigen.completeWrap(wrapId);
        vm.stopPrank();
        _assertBacked();
        _govern(address(registry), abi.encodeCall(registry.rejectChallenge, (id)));
        vm.prank(alice);
        eigen.completeWrap(wrapId);
        assertEq(eigen.balanceOf(alice), 5e18);
        _assertBacked();
    }

    function test_queueWrapOnlyWhileFrozen() public {
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 1e18);
        vm.expectRevert(IEigenErrors.WrapsNotFrozen.selector);
        eigen.queueWrap(1e18);
    }

    function test_queuedWrapIsRefundableAnyTimeOnlyByItsOwner() public {
        _openChallenge();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 5e18);
        uint256 wrapId = eigen.queueWrap(5e18);
        vm.stopPrank();
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IEigenErrors.NotWrapOwner.selector, wrapId, carol));
        eigen.refundWrap(wrapId);
        vm.prank(alice);
        eigen.refundWrap(wrapId);
        assertEq(bEigen.balanceOf(alice), ALICE);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IEigenErrors.NotWrapOwner.selector, wrapId, alice));
        eigen.refundWrap(wrapId);
        _assertBacked();
    }

    // --- Following the canonical fork ----------------------------------------------------------------------

    function test_eigenFollowsTheCanonicalForkOneToOne() public {
        (uint256 id, uint256 forkId, IForkDistributor d) = _openAndFork();
        IBackingEigen fork = d.forkToken();
        vm.warp(block.timestamp + 1);
        vm.prank(bob);
        eigen.unwrap(10e18); // after the timepoint: recorded
        _setCanonical(forkId);
        assertEq(address(registry.canonicalToken()), address(fork));

        // Any interaction follows; then one EIGEN redeems one fork token.
        vm.prank(bob);
        eigen.unwrap(20e18);
        assertEq(address(eigen.backing()), address(fork));
        assertEq(fork.balanceOf(bob), 20e18);
        assertEq(eigen.totalSupply(), fork.totalSupply());
        _assertBacked();
        IEigen.Migration memory m = eigen.migrationOf(id);
        assertEq(m.received, BOB);

        // The EIGEN unwrapped while the challenge was open is paid on the fork too.
        vm.prank(bob);
        assertEq(eigen.claimUnwrappedOnFork(id), 10e18);
        assertEq(fork.balanceOf(bob), 30e18);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IEigenErrors.NothingToClaim.selector, bob, id));
        eigen.claimUnwrappedOnFork(id);
        _assertBacked();

        // Bob's value on the canonical fork is exactly what he had: BOB.
        assertEq(eigen.balanceOf(bob) + fork.balanceOf(bob), BOB);

        // Wraps reopen on the fork token.
        vm.startPrank(bob);
        fork.approve(address(eigen), 30e18);
        eigen.wrap(30e18);
        vm.stopPrank();
        assertEq(eigen.balanceOf(bob), BOB);
        _assertBacked();
    }

    function test_wrapQueuedAtTheTimepointIsPaidOnTheForkWhenRefunded() public {
        uint256 id = _openChallenge();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 7e18);
        uint256 atTimepoint = eigen.queueWrap(3e18); // same block: the escrow is in EIGEN's snapshot
        vm.warp(block.timestamp + 1);
        uint256 later = eigen.queueWrap(4e18); // later: alice's own snapshot balance covers it
        vm.stopPrank();
        (uint256 forkId, IForkDistributor d) = _createFork(id);
        _setCanonical(forkId);
        eigen.followCanonicalFork();
        IBackingEigen fork = d.forkToken();
        _assertBacked();

        vm.startPrank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IEigenErrors.WrapTokenNotBacking.selector, later, address(bEigen), address(fork))
        );
        eigen.completeWrap(later);
        eigen.refundWrap(atTimepoint);
        eigen.refundWrap(later);
        vm.stopPrank();
        assertEq(fork.balanceOf(alice), 3e18);
        assertEq(bEigen.balanceOf(alice), ALICE);
        _assertBacked();
    }

    function test_wrapQueuedAtTheTimepointAndRefundedEarlyIsStillPaidOnTheFork() public {
        uint256 id = _openChallenge();
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 3e18);
        uint256 wrapId = eigen.queueWrap(3e18); // same block: the escrow is in EIGEN's snapshot
        vm.warp(block.timestamp + 1);
        eigen.refundWrap(wrapId); // before the resolution
        vm.stopPrank();
        assertEq(eigen.refundedDuring(id, alice), 3e18);
        (uint256 forkId, IForkDistributor d) = _createFork(id);
        _setCanonical(forkId);
        vm.prank(alice);
        assertEq(eigen.claimUnwrappedOnFork(id), 3e18);
        assertEq(d.forkToken().balanceOf(alice), 3e18);
        assertEq(bEigen.balanceOf(alice), ALICE);
        _assertBacked();
    }

    function test_backingDoesNotChangeWhenTheChallengeIsRejected() public {
        (uint256 id, , ) = _openAndFork();
        _govern(address(registry), abi.encodeCall(registry.rejectChallenge, (id)));
        eigen.followCanonicalFork();
        assertEq(address(eigen.backing()), address(bEigen));
        vm.startPrank(alice);
        bEigen.approve(address(eigen), 1e18);
        eigen.wrap(1e18);
        vm.stopPrank();
        _assertBacked();
    }
}
