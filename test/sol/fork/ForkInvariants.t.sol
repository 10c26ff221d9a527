// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {GovernanceTimelock} from "../../../contracts/governance/GovernanceTimelock.sol";
import {CanonicalForkRegistry} from "../../../contracts/fork/CanonicalForkRegistry.sol";
import {ForkChallengeManager} from "../../../contracts/fork/ForkChallengeManager.sol";
import {ForkFactory} from "../../../contracts/fork/ForkFactory.sol";
import {Eigen} from "../../../contracts/token/Eigen.sol";
import {IBackingEigen} from "../../../contracts/interfaces/IBackingEigen.sol";
import {IForkDistributor} from "../../../contracts/interfaces/IForkDistributor.sol";
import {ForkFixture, StakeTree} from "./ForkFixture.sol";

/// @notice Drives the fork stack through random wraps, unwraps, transfers, stakes, queued wraps, challenges,
/// forks, claims and governance decisions, over several generations of forks.
contract ForkHandler is Test {
    uint256 internal constant N = 5;

    GovernanceTimelock internal immutable timelock;
    CanonicalForkRegistry internal immutable registry;
    ForkChallengeManager internal immutable manager;
    Eigen internal immutable eigen;
    ForkFactory internal immutable factory;
    address internal immutable gov;
    address internal immutable pool;

    address[N] internal actors;
    /// Restaked bEIGEN per canonical token and staker (the pool's balance split; odd actors get accused).
    mapping(address token => mapping(address staker => uint256)) public staked;

    IForkDistributor[] public distributors;
    mapping(uint256 forkIndex => bytes32[]) internal _forkLeaves;
    mapping(uint256 forkIndex => uint256[]) internal _forkAmounts;
    uint256 public salt;

    constructor(
        GovernanceTimelock timelock_,
        CanonicalForkRegistry registry_,
        ForkChallengeManager manager_,
        Eigen eigen_,
        ForkFactory factory_,
        address gov_,
        address pool_
    ) {
        timelock = timelock_;
        registry = registry_;
        manager = manager_;
        eigen = eigen_;
        factory = factory_;
        gov = gov_;
        pool = pool_;
        for (uint256 i = 0; i < N; ++i) actors[i] = address(uint160(0xA000 + i));
    }

    function actor(uint256 i) external view returns (address) {
        return actors[i];
    }

    function distributorCount() external view returns (uint256) {
        return distributors.length;
    }

    function _token() internal view returns (IBackingEigen) {
        return registry.canonicalToken();
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % N];
    }

    // --- Token moves ----------------------------------------------------------------------------------------

    function transfer(uint256 from, uint256 to, uint256 amount) external {
        address a = _actor(from);
        IBackingEigen t = _token();
        amount = _bound(amount, 0, t.balanceOf(a));
        vm.prank(a);
        t.transfer(_actor(to), amount);
    }

    function wrap(uint256 who, uint256 amount) external {
        eigen.followCanonicalFork();
        address a = _actor(who);
        IBackingEigen t = _token();
        amount = _bound(amount, 1, t.balanceOf(a) + 1);
        vm.startPrank(a);
        t.approve(address(eigen), amount);
        eigen.wrap(amount);
        vm.stopPrank();
    }

    function unwrap(uint256 who, uint256 amount) external {
        address a = _actor(who);
        amount = _bound(amount, 1, eigen.balanceOf(a) + 1);
        vm.prank(a);
        eigen.unwrap(amount);
    }

    function queueWrap(uint256 who, uint256 amount) external {
        eigen.followCanonicalFork();
        address a = _actor(who);
        IBackingEigen t = _token();
        amount = _bound(amount, 1, t.balanceOf(a) + 1);
        vm.startPrank(a);
        t.approve(address(eigen), amount);
        eigen.queueWrap(amount);
        vm.stopPrank();
    }

    function settleWrap(uint256 wrapSeed, bool refund) external {
        uint256 count = eigen.queuedWrapCount();
        if (count == 0) return;
        uint256 wrapId = 1 + (wrapSeed % count);
        address owner = eigen.getQueuedWrap(wrapId).owner;
        vm.prank(owner);
        if (refund) eigen.refundWrap(wrapId);
        else eigen.completeWrap(wrapId);
    }

    function stake(uint256 who, uint256 amount) external {
        address a = _actor(who);
        IBackingEigen t = _token();
        amount = _bound(amount, 0, t.balanceOf(a));
        vm.prank(a);
        t.transfer(pool, amount);
        staked[address(t)][a] += amount;
    }

    function claimUnwrapped(uint256 who) external {
        uint256 id = manager.challengeCount();
        if (id == 0) return;
        vm.prank(_actor(who));
        eigen.claimUnwrappedOnFork(id);
    }

    // --- Challenges and forks -----------------------------------------------------------------------------

    function openChallenge(uint256 who) external {
        address a = _actor(who);
        IBackingEigen t = _token();
        uint256 commitment = manager.requiredCommitment();
        address[] memory accused = new address[](1);
        accused[0] = address(0xBAD);
        vm.startPrank(a);
        t.approve(address(manager), commitment);
        manager.openChallenge(accused, keccak256("evidence"), bytes("task:1"), commitment);
        vm.stopPrank();
    }

    function createFork() external {
        uint256 id = manager.challengeCount();
        if (id == 0) return;
        vm.warp(block.timestamp + 1); // the challenge's timepoint must be final
        IBackingEigen t = manager.getChallenge(id).token;
        uint256 index = distributors.length;
        uint256 claimable;
        uint256 excluded;
        for (uint256 i = 0; i < N; ++i) {
            uint256 amount = staked[address(t)][actors[i]];
            if (amount == 0) continue;
            bool accusedStaker = i % 2 == 1;
            _forkLeaves[index].push(StakeTree.leaf(actors[i], amount, accusedStaker));
            _forkAmounts[index].push(accusedStaker ? 0 : amount);
            if (accusedStaker) excluded += amount;
            else claimable += amount;
        }
        if (_forkLeaves[index].length == 0) return;
        (, , IForkDistributor d) = factory.createFork(
            id,
            StakeTree.root(_forkLeaves[index]),
            claimable,
            excluded,
            "snapshot"
        );
        distributors.push(d);
    }

    function claimStake(uint256 forkSeed, uint256 leafSeed) external {
        if (distributors.length == 0) return;
        uint256 index = forkSeed % distributors.length;
        bytes32[] memory leaves = _forkLeaves[index];
        uint256 li = leafSeed % leaves.length;
        // leaf order follows actor order, skipping empty stakes: recover the staker by matching the leaf
        for (uint256 i = 0; i < N; ++i) {
            uint256 amount = _forkAmounts[index][li];
            if (amount > 0 && leaves[li] == StakeTree.leaf(actors[i], amount, false)) {
                distributors[index].claimStaked(actors[i], amount, StakeTree.proof(leaves, li));
                return;
            }
        }
    }

    function lockAndClaim(uint256 forkSeed, uint256 who, uint256 amount) external {
        if (distributors.length == 0) return;
        IForkDistributor d = distributors[forkSeed % distributors.length];
        address a = _actor(who);
        IBackingEigen parent = d.config().parent;
        amount = _bound(amount, 1, parent.balanceOf(a) + 1);
        vm.startPrank(a);
        parent.approve(address(d), amount);
        d.lockAndClaim(amount);
        vm.stopPrank();
    }

    function unlock(uint256 forkSeed, uint256 lockSeed) external {
        if (distributors.length == 0) return;
        IForkDistributor d = distributors[forkSeed % distributors.length];
        uint256 count = d.lockCount();
        if (count == 0) return;
        uint256 lockId = 1 + (lockSeed % count);
        vm.prank(d.getLock(lockId).owner);
        d.unlock(lockId);
    }

    function redeemCommitment(uint256 forkSeed) external {
        if (distributors.length == 0) return;
        IForkDistributor d = distributors[forkSeed % distributors.length];
        vm.prank(d.config().challenger);
        d.redeemCommitment();
    }

    function decide(uint256 forkSeed, bool accept) external {
        uint256 id = manager.challengeCount();
        if (id == 0) return;
        bytes memory data;
        if (accept && distributors.length > 0) {
            uint256 forkId = registry.forkCount() - 1 - (forkSeed % distributors.length);
            data = abi.encodeCall(registry.setCanonical, (forkId));
        } else {
            data = abi.encodeCall(registry.rejectChallenge, (id));
        }
        bytes32 s = bytes32(++salt);
        uint256 delay = timelock.getMinDelay();
        vm.prank(gov);
        timelock.schedule(address(registry), 0, data, bytes32(0), s, delay);
        vm.warp(block.timestamp + delay);
        vm.prank(gov);
        timelock.execute(address(registry), 0, data, bytes32(0), s);
        eigen.followCanonicalFork();
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1, 3 days));
    }
}

contract ForkInvariantsTest is ForkFixture {
    ForkHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new ForkHandler(timelock, registry, manager, eigen, factory, gov, pool);
        for (uint256 i = 0; i < 5; ++i) {
            address a = handler.actor(i);
            _give(a, 150_000e18);
            vm.startPrank(a);
            bEigen.approve(address(eigen), 50_000e18);
            eigen.wrap(50_000e18);
            vm.stopPrank();
            handler.stake(i, 60_000e18);
        }
        vm.warp(block.timestamp + 1);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](17);
        selectors[0] = ForkHandler.transfer.selector;
        selectors[1] = ForkHandler.wrap.selector;
        selectors[2] = ForkHandler.unwrap.selector;
        selectors[3] = ForkHandler.queueWrap.selector;
        selectors[4] = ForkHandler.settleWrap.selector;
        selectors[5] = ForkHandler.stake.selector;
        selectors[6] = ForkHandler.claimUnwrapped.selector;
        selectors[7] = ForkHandler.openChallenge.selector;
        selectors[8] = ForkHandler.openChallenge.selector;
        selectors[9] = ForkHandler.createFork.selector;
        selectors[10] = ForkHandler.createFork.selector;
        selectors[11] = ForkHandler.claimStake.selector;
        selectors[12] = ForkHandler.lockAndClaim.selector;
        selectors[13] = ForkHandler.unlock.selector;
        selectors[14] = ForkHandler.redeemCommitment.selector;
        selectors[15] = ForkHandler.decide.selector;
        selectors[16] = ForkHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev Solid representation: EIGEN in circulation always equals the canonical bEIGEN it holds as backing.
    function invariant_eigenSupplyEqualsBackingHeld() public view {
        assertEq(eigen.wrappedSupply(), eigen.backingHeld());
        assertEq(address(eigen.backing()), address(registry.canonicalToken()));
    }

    function test_handlerCanForkAndFollow() public {
        handler.openChallenge(0);
        handler.createFork();
        assertEq(handler.distributorCount(), 1);
        handler.decide(0, true);
        assertEq(registry.canonicalForkId(), 1);
    }

    /// @dev On every fork, claimed + claimable + excluded = supply at the timepoint, and no more is minted.
    function invariant_forkConservation() public view {
        for (uint256 i = 0; i < handler.distributorCount(); ++i) {
            IForkDistributor d = handler.distributors(i);
            IForkDistributor.ForkConfig memory c = d.config();
            assertEq(d.totalClaimed() + d.unclaimed() + d.excludedSupply(), c.supplyAtTimepoint);
            assertLe(d.forkToken().totalSupply(), d.totalClaimed());
            assertLe(d.excludedSupply() + c.reward, c.poolBalance);
            assertGe(c.stakedExcluded, Math.mulDiv(factory.dpfWad(), c.supplyAtTimepoint, 1e18, Math.Rounding.Ceil));
        }
    }
}
