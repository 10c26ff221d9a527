// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "../../../contracts/interfaces/IBackingEigen.sol";
import {
    ICanonicalForkRegistry,
    ICanonicalForkRegistryErrors
} from "../../../contracts/interfaces/ICanonicalForkRegistry.sol";
import {IForkDistributor, IForkDistributorErrors} from "../../../contracts/interfaces/IForkDistributor.sol";
import {IForkFactoryErrors} from "../../../contracts/interfaces/IForkFactory.sol";
import {ForkWorld} from "./ForkFixture.sol";

contract ForkDistributorTest is ForkWorld {
    // --- Creating a fork ----------------------------------------------------------------------------------

    function test_forkRecordsTheSupplyAtTheTimepointPlusTheCommitment() public {
        (uint256 id, uint256 forkId, IForkDistributor d) = _openAndFork();
        IForkDistributor.ForkConfig memory c = d.config();
        assertEq(c.challengeId, id);
        assertEq(c.supplyAtTimepoint, SUPPLY); // supply after the burn plus the burned commitment
        assertEq(c.poolBalance, H1 + H2 + S1 + S2);
        assertEq(c.reward, ((S1 + S2) * REWARD) / WAD);
        assertEq(c.redeemEnd, block.timestamp + REDEEM_WINDOW);
        ICanonicalForkRegistry.Fork memory f = registry.getFork(forkId);
        assertEq(address(f.parent), address(bEigen));
        assertEq(address(f.token), address(d.forkToken()));
        assertTrue(d.forkToken().isMinter(address(d)));
        assertEq(d.forkToken().totalSupply(), 0);
        assertEq(d.totalClaimed() + d.unclaimed() + d.excludedSupply(), c.supplyAtTimepoint);
    }

    function test_forkExcludingLessThanDPFIsInvalid() public {
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + 1);
        uint256 required = (SUPPLY * DPF) / WAD;
        vm.expectRevert(abi.encodeWithSelector(IForkFactoryErrors.DeflationBelowDPF.selector, required - 1, required));
        factory.createFork(id, _root(leaves), H1 + H2, required - 1, "x");
    }

    /// @dev A fork is valid exactly when the excluded stake reaches ceil(DPF * supply at the timepoint).
    function testFuzz_dpfBound(uint256 excluded) public {
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + 1);
        excluded = bound(excluded, 0, S1 + S2);
        uint256 required = (SUPPLY * DPF) / WAD;
        if (excluded < required) {
            vm.expectRevert(abi.encodeWithSelector(IForkFactoryErrors.DeflationBelowDPF.selector, excluded, required));
        }
        factory.createFork(id, _root(leaves), H1 + H2, excluded, "x");
    }

    function test_snapshotCannotExceedThePoolBalance() public {
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + 1);
        uint256 poolBalance = H1 + H2 + S1 + S2;
        vm.expectRevert(
            abi.encodeWithSelector(IForkFactoryErrors.SnapshotExceedsPool.selector, poolBalance + 1, poolBalance)
        );
        factory.createFork(id, _root(leaves), H1 + H2 + 1, S1 + S2, "x");
    }

    function test_forkOnlyWithinTheForkWindowAfterTheChallengeBlock() public {
        uint256 id = _openChallenge();
        uint48 t = uint48(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IForkFactoryErrors.TimepointNotFinal.selector, id, t));
        factory.createFork(id, _root(leaves), H1 + H2, S1 + S2, "x");
        vm.warp(t + FORK_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IForkFactoryErrors.ForkWindowClosed.selector, id, t + FORK_WINDOW));
        factory.createFork(id, _root(leaves), H1 + H2, S1 + S2, "x");
    }

    function test_noForkOfAChallengeThatIsNotOpen() public {
        vm.expectRevert(abi.encodeWithSelector(IForkFactoryErrors.ChallengeNotOpen.selector, 7));
        factory.createFork(7, _root(leaves), H1 + H2, S1 + S2, "x");
    }

    function test_onlyTheFactoryRegistersForks() public {
        vm.expectRevert(abi.encodeWithSelector(ICanonicalForkRegistryErrors.OnlyFactory.selector, address(this)));
        registry.registerFork(1, bEigen, bEigen, IForkDistributor(address(0)));
    }

    // --- Stakers ------------------------------------------------------------------------------------------

    function test_honestStakersClaimTheirStake() public {
        (, , IForkDistributor d) = _openAndFork();
        d.claimStaked(honest1, H1, _proofOf(0));
        d.claimStaked(honest2, H2, _proofOf(1));
        assertEq(d.forkToken().balanceOf(honest1), H1);
        assertEq(d.forkToken().balanceOf(honest2), H2);
    }

    function test_excludedStakersGetNothing() public {
        (, , IForkDistributor d) = _openAndFork();
        // Their leaf says excluded = true: proving it as a claimable leaf fails.
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.InvalidStakeProof.selector, slashed1, S1));
        d.claimStaked(slashed1, S1, _proofOf(2));
        // Nor can they claim through the hold path: they held nothing outside the pool.
        vm.prank(slashed1);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.AllocationExceeded.selector, slashed1, 1, 0));
        d.lockAndClaim(1);
    }

    function test_noDoubleStakeClaim() public {
        (, , IForkDistributor d) = _openAndFork();
        d.claimStaked(honest1, H1, _proofOf(0));
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.AlreadyClaimed.selector, honest1));
        d.claimStaked(honest1, H1, _proofOf(0));
    }

    function test_stakeClaimsAreCappedByTheCommittedTotal() public {
        // A snapshot whose leaves add up to more than it committed cannot mint more than it committed.
        uint256 id = _openChallenge();
        vm.warp(block.timestamp + 1);
        (, , IForkDistributor d) = factory.createFork(id, _root(leaves), H1, S1 + S2, "x");
        d.claimStaked(honest1, H1, _proofOf(0));
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.StakeClaimsExceedSnapshot.selector, H1 + H2, H1));
        d.claimStaked(honest2, H2, _proofOf(1));
    }

    function test_thePoolItselfCannotClaimItsBalance() public {
        (, , IForkDistributor d) = _openAndFork();
        assertEq(d.heldAllocationOf(pool), 0);
        vm.prank(pool);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.NotEligible.selector, pool));
        d.lockAndClaim(1);
    }

    // --- Holders: lock and claim --------------------------------------------------------------------------

    function test_holderLocksAndClaimsWithinTheWindow() public {
        (, , IForkDistributor d) = _openAndFork();
        IBackingEigen fork = d.forkToken();
        vm.startPrank(alice);
        bEigen.approve(address(d), ALICE);
        uint256 lockId = d.lockAndClaim(ALICE);
        assertEq(fork.balanceOf(alice), ALICE);
        assertEq(bEigen.balanceOf(alice), 0);
        IForkDistributor.Lock memory lock = d.getLock(lockId);
        assertEq(lock.unlockAt, block.timestamp + LOCK_DURATION);
        // T_lock > T_redeem: the locked tokens are still locked when the window closes.
        vm.warp(d.config().redeemEnd);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.LockNotReleased.selector, lockId, lock.unlockAt));
        d.unlock(lockId);
        vm.warp(lock.unlockAt);
        d.unlock(lockId);
        assertEq(bEigen.balanceOf(alice), ALICE);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.NotLockOwner.selector, lockId, alice));
        d.unlock(lockId);
    }

    function test_lockAndClaimClosesWithTheRedemptionWindow() public {
        (, , IForkDistributor d) = _openAndFork();
        uint48 end = d.config().redeemEnd;
        vm.warp(end);
        vm.startPrank(alice);
        bEigen.approve(address(d), ALICE);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.RedemptionWindowClosed.selector, end, end));
        d.lockAndClaim(ALICE);
    }

    function test_noDoubleClaimBySendingTheSameTokensAround() public {
        (, , IForkDistributor d) = _openAndFork();
        vm.startPrank(alice);
        bEigen.approve(address(d), ALICE);
        d.lockAndClaim(ALICE / 2);
        vm.expectRevert(
            abi.encodeWithSelector(IForkDistributorErrors.AllocationExceeded.selector, alice, ALICE, ALICE / 2)
        );
        d.lockAndClaim(ALICE);
        // Tokens bought after the timepoint carry no allocation: the new holder cannot claim them again.
        bEigen.transfer(honest1, ALICE / 2);
        vm.stopPrank();
        vm.startPrank(honest1);
        bEigen.approve(address(d), ALICE / 2);
        vm.expectRevert(
            abi.encodeWithSelector(IForkDistributorErrors.AllocationExceeded.selector, honest1, ALICE / 2, 0)
        );
        d.lockAndClaim(ALICE / 2);
    }

    /// @dev Any split of a holder's balance into lock-claims pays exactly its timepoint balance, never more.
    function testFuzz_lockClaimsNeverExceedTheTimepointBalance(uint256 first, uint256 second) public {
        (, , IForkDistributor d) = _openAndFork();
        first = bound(first, 1, ALICE);
        second = bound(second, 1, ALICE);
        vm.startPrank(alice);
        bEigen.approve(address(d), ALICE);
        d.lockAndClaim(first);
        if (first + second > ALICE) {
            vm.expectRevert(
                abi.encodeWithSelector(IForkDistributorErrors.AllocationExceeded.selector, alice, second, ALICE - first)
            );
            d.lockAndClaim(second);
        } else {
            d.lockAndClaim(second);
        }
        assertLe(d.forkToken().balanceOf(alice), ALICE);
        assertEq(d.heldClaimed(alice), d.forkToken().balanceOf(alice));
    }

    // --- Challenger -----------------------------------------------------------------------------------------

    function test_challengerRedeemsCommitmentPlusRewardOnce() public {
        (, , IForkDistributor d) = _openAndFork();
        vm.prank(challenger);
        uint256 amount = d.redeemCommitment();
        uint256 reward = ((S1 + S2) * REWARD) / WAD;
        assertEq(amount, COMMITMENT + reward);
        assertEq(d.forkToken().balanceOf(challenger), COMMITMENT + reward);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.AlreadyClaimed.selector, challenger));
        d.redeemCommitment();
        vm.expectRevert(abi.encodeWithSelector(IForkDistributorErrors.OnlyChallenger.selector, address(this)));
        d.redeemCommitment();
    }

    // --- Totals -----------------------------------------------------------------------------------------

    function test_everyoneClaimingExhaustsExactlySupplyMinusExcluded() public {
        (, uint256 forkId, IForkDistributor d) = _openAndFork();
        d.claimStaked(honest1, H1, _proofOf(0));
        d.claimStaked(honest2, H2, _proofOf(1));
        vm.prank(challenger);
        d.redeemCommitment();
        vm.startPrank(alice);
        bEigen.approve(address(d), ALICE);
        d.lockAndClaim(ALICE);
        vm.stopPrank();
        vm.startPrank(challenger);
        uint256 rest = CHALLENGER - COMMITMENT;
        bEigen.approve(address(d), rest);
        d.lockAndClaim(rest);
        vm.stopPrank();
        vm.startPrank(treasury);
        uint256 treasuryHeld = d.heldAllocationOf(treasury);
        bEigen.approve(address(d), treasuryHeld);
        d.lockAndClaim(treasuryHeld);
        vm.stopPrank();
        _setCanonical(forkId);
        eigen.followCanonicalFork();

        uint256 excluded = S1 + S2 - ((S1 + S2) * REWARD) / WAD;
        assertEq(d.excludedSupply(), excluded);
        assertEq(d.unclaimed(), 0);
        assertEq(d.totalClaimed(), SUPPLY - excluded);
        assertEq(d.forkToken().totalSupply(), SUPPLY - excluded);
    }
}
