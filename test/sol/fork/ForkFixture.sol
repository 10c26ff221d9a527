// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {GovernanceTimelock} from "../../../contracts/governance/GovernanceTimelock.sol";
import {CanonicalForkRegistry} from "../../../contracts/fork/CanonicalForkRegistry.sol";
import {ForkChallengeManager} from "../../../contracts/fork/ForkChallengeManager.sol";
import {ForkFactory} from "../../../contracts/fork/ForkFactory.sol";
import {BackingEigen} from "../../../contracts/token/BackingEigen.sol";
import {Eigen} from "../../../contracts/token/Eigen.sol";
import {IBackingEigen} from "../../../contracts/interfaces/IBackingEigen.sol";
import {IForkDistributor} from "../../../contracts/interfaces/IForkDistributor.sol";

/// @notice Stake snapshots as OpenZeppelin StandardMerkleTree leaves (address staker, uint256 amount, bool
/// excluded): a binary tree with sorted-pair hashing, odd nodes moving up unchanged.
library StakeTree {
    function leaf(address staker, uint256 amount, bool excluded) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(staker, amount, excluded))));
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = _nextLevel(level);
        return level[0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory out) {
        bytes32[] memory path = new bytes32[](64);
        uint256 n = 0;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) path[n++] = level[sibling];
            level = _nextLevel(level);
            index /= 2;
        }
        out = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) out[i] = path[i];
    }

    function _nextLevel(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < next.length; ++i) {
            uint256 left = 2 * i;
            next[i] = left + 1 < level.length ? Hashes.commutativeKeccak256(level[left], level[left + 1]) : level[left];
        }
    }
}

/// @notice The whole fork stack as deployed: governance timelock, bEIGEN, registry, challenge manager, EIGEN,
/// factory; plus helpers to build stake snapshots (Merkle trees in the OpenZeppelin StandardMerkleTree leaf
/// format) and to run governance calls through the timelock.
abstract contract ForkFixture is Test {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant SUPPLY = 1_000_000e18;
    uint256 internal constant CPF = 0.01e18;
    uint256 internal constant DPF = 0.05e18;
    uint256 internal constant REWARD = 0.1e18;
    uint48 internal constant FORK_WINDOW = 2 days;
    uint48 internal constant REDEEM_WINDOW = 7 days;
    uint48 internal constant LOCK_DURATION = 10 days;
    uint48 internal constant RESOLUTION_WINDOW = 14 days;
    uint256 internal constant TIMELOCK_DELAY = 1 days;

    address internal gov = makeAddr("gov");
    address internal treasury = makeAddr("treasury");
    address internal pool = makeAddr("bEigenStrategy");

    GovernanceTimelock internal timelock;
    BackingEigen internal bEigen;
    CanonicalForkRegistry internal registry;
    ForkChallengeManager internal manager;
    Eigen internal eigen;
    ForkFactory internal factory;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        address[] memory roles = new address[](1);
        roles[0] = gov;
        timelock = new GovernanceTimelock(TIMELOCK_DELAY, roles, roles, address(0));
        bEigen = new BackingEigen("Backing Eigen", "bEIGEN", address(timelock), address(0), treasury, SUPPLY);
        registry = new CanonicalForkRegistry(bEigen, address(timelock));
        manager = new ForkChallengeManager(registry, CPF, FORK_WINDOW, RESOLUTION_WINDOW);
        eigen = new Eigen(registry, manager);
        factory = new ForkFactory(
            registry,
            manager,
            address(eigen),
            pool,
            ForkFactory.Parameters({
                dpfWad: DPF,
                rewardWad: REWARD,
                redeemWindow: REDEEM_WINDOW,
                lockDuration: LOCK_DURATION
            }),
            address(timelock)
        );
        registry.bind(manager, address(factory));
        vm.warp(block.timestamp + 1);
    }

    // --- Helpers -------------------------------------------------------------------------------------------

    function _give(address to, uint256 amount) internal {
        vm.prank(treasury);
        bEigen.transfer(to, amount);
    }

    function _giveEigen(address to, uint256 amount) internal {
        _give(to, amount);
        vm.startPrank(to);
        bEigen.approve(address(eigen), amount);
        eigen.wrap(amount);
        vm.stopPrank();
    }

    function _open(address challenger, address[] memory accused, uint256 commitment) internal returns (uint256 id) {
        vm.startPrank(challenger);
        IBackingEigen token = registry.canonicalToken();
        token.approve(address(manager), commitment);
        id = manager.openChallenge(accused, keccak256("evidence"), bytes("da-cert:0xabc"), commitment);
        vm.stopPrank();
    }

    function _accused(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    /// @dev Schedules and executes `data` on `target` through the timelock, waiting out its delay.
    function _govern(address target, bytes memory data) internal {
        bytes32 salt = keccak256(abi.encode(target, data, block.timestamp));
        vm.prank(gov);
        timelock.schedule(target, 0, data, bytes32(0), salt, TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.prank(gov);
        timelock.execute(target, 0, data, bytes32(0), salt);
    }

    function _setCanonical(uint256 forkId) internal {
        _govern(address(registry), abi.encodeCall(registry.setCanonical, (forkId)));
    }

    function _leaf(address staker, uint256 amount, bool excluded) internal pure returns (bytes32) {
        return StakeTree.leaf(staker, amount, excluded);
    }

    function _root(bytes32[] memory leaves_) internal pure returns (bytes32) {
        return StakeTree.root(leaves_);
    }

    function _proof(bytes32[] memory leaves_, uint256 index) internal pure returns (bytes32[] memory) {
        return StakeTree.proof(leaves_, index);
    }
}

/// @notice A populated world: a plain bEIGEN holder, an EIGEN holder, a stake pool with two honest and two
/// accused stakers, and a challenger; helpers to open a challenge and create the fork that excludes the
/// accused stake.
abstract contract ForkWorld is ForkFixture {
    address internal alice = makeAddr("alice"); // plain bEIGEN holder
    address internal bob = makeAddr("bob"); // EIGEN holder
    address internal challenger = makeAddr("challenger");
    address internal honest1 = makeAddr("honest1");
    address internal honest2 = makeAddr("honest2");
    address internal slashed1 = makeAddr("slashed1");
    address internal slashed2 = makeAddr("slashed2");
    address internal badOperator = makeAddr("badOperator");

    uint256 internal constant ALICE = 100_000e18;
    uint256 internal constant BOB = 100_000e18;
    uint256 internal constant CHALLENGER = 50_000e18;
    uint256 internal constant COMMITMENT = 10_000e18;
    uint256 internal constant H1 = 100_000e18;
    uint256 internal constant H2 = 50_000e18;
    uint256 internal constant S1 = 100_000e18;
    uint256 internal constant S2 = 50_000e18;

    bytes32[] internal leaves;

    function setUp() public virtual override {
        super.setUp();
        _give(alice, ALICE);
        _giveEigen(bob, BOB);
        _give(challenger, CHALLENGER);
        _give(pool, H1 + H2 + S1 + S2);
        leaves.push(_leaf(honest1, H1, false));
        leaves.push(_leaf(honest2, H2, false));
        leaves.push(_leaf(slashed1, S1, true));
        leaves.push(_leaf(slashed2, S2, true));
        vm.warp(block.timestamp + 1);
    }

    function _openChallenge() internal returns (uint256 id) {
        id = _open(challenger, _accused(badOperator), COMMITMENT);
    }

    function _createFork(uint256 id) internal returns (uint256 forkId, IForkDistributor distributor) {
        (forkId, , distributor) = factory.createFork(id, _root(leaves), H1 + H2, S1 + S2, "ipfs://snapshot");
    }

    function _openAndFork() internal returns (uint256 id, uint256 forkId, IForkDistributor distributor) {
        id = _openChallenge();
        vm.warp(block.timestamp + 1 hours);
        (forkId, distributor) = _createFork(id);
    }

    function _proofOf(uint256 index) internal view returns (bytes32[] memory) {
        return _proof(leaves, index);
    }
}
