// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {GovernanceTimelock} from "../../../contracts/governance/GovernanceTimelock.sol";
import {CanonicalForkRegistry} from "../../../contracts/fork/CanonicalForkRegistry.sol";
import {ForkChallengeManager} from "../../../contracts/fork/ForkChallengeManager.sol";
import {ForkFactory} from "../../../contracts/fork/ForkFactory.sol";
import {BackingEigen} from "../../../contracts/token/BackingEigen.sol";
import {Eigen} from "../../../contracts/token/Eigen.sol";
import {BEigenStrategy} from "../../../contracts/strategies/BEigenStrategy.sol";
import {IBEigenStrategy} from "../../../contracts/interfaces/IBEigenStrategy.sol";
import {IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {IStrategy, IStrategyErrors} from "../../../contracts/interfaces/IStrategy.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

contract BEigenStrategyTest is RestakingTestBase {
    address internal staker = makeAddr("staker");
    address internal operator = makeAddr("operator");
    address internal challenger = makeAddr("challenger");

    BackingEigen internal bEigen;
    Eigen internal eigen;
    CanonicalForkRegistry internal registry;
    ForkChallengeManager internal manager;
    ForkFactory internal forkFactory;
    BEigenStrategy internal bEigenStrategy;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        bEigen = new BackingEigen("Backing Eigen", "bEIGEN", address(this), address(0), address(this), 1_000_000e18);
        registry = new CanonicalForkRegistry(bEigen, address(this));
        manager = new ForkChallengeManager(registry, 0.01e18, 2 days, 14 days);
        eigen = new Eigen(registry, manager);
        bEigenStrategy = new BEigenStrategy(sm, pauserRegistry, eigen);
        forkFactory = new ForkFactory(
            registry,
            manager,
            address(eigen),
            address(bEigenStrategy),
            ForkFactory.Parameters({dpfWad: 0.05e18, rewardWad: 0.1e18, redeemWindow: 7 days, lockDuration: 10 days}),
            address(this)
        );
        registry.bind(manager, address(forkFactory));
        IStrategy[] memory list = new IStrategy[](1);
        list[0] = bEigenStrategy;
        vm.prank(governance);
        factory.whitelistStrategies(list);

        bEigen.transfer(staker, 200_000e18);
        bEigen.transfer(challenger, 50_000e18);
        vm.startPrank(staker);
        bEigen.approve(address(eigen), 100_000e18);
        eigen.wrap(100_000e18);
        vm.stopPrank();
        _registerOperator(operator, 0);
        _delegate(staker, operator);
        vm.warp(block.timestamp + 1);
    }

    function _depositToken(IERC20 token, uint256 amount) internal returns (uint256 shares) {
        vm.startPrank(staker);
        token.approve(address(sm), amount);
        shares = sm.depositIntoStrategy(bEigenStrategy, token, amount);
        vm.stopPrank();
    }

    function _challenge() internal returns (uint256 id) {
        address[] memory accused = new address[](1);
        accused[0] = operator;
        vm.startPrank(challenger);
        bEigen.approve(address(manager), 10_000e18);
        id = manager.openChallenge(accused, keccak256("e"), bytes("task:7"), 10_000e18);
        vm.stopPrank();
    }

    function test_depositOfEigenIsHeldAsBEigen() public {
        uint256 wrappedBefore = eigen.wrappedSupply();
        uint256 shares = _depositToken(IERC20(address(eigen)), 40_000e18);
        assertEq(bEigen.balanceOf(address(bEigenStrategy)), 40_000e18);
        assertEq(eigen.balanceOf(address(bEigenStrategy)), 0);
        assertEq(eigen.wrappedSupply(), wrappedBefore - 40_000e18);
        assertEq(bEigenStrategy.sharesToUnderlyingView(shares), 40_000e18);
        assertEq(eigen.wrappedSupply(), eigen.backingHeld());
    }

    function test_depositOfBEigenIsTakenAsIs() public {
        _depositToken(IERC20(address(bEigen)), 30_000e18);
        assertEq(bEigen.balanceOf(address(bEigenStrategy)), 30_000e18);
    }

    function test_otherTokensAreRefused() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStrategyErrors.OnlyUnderlyingToken.selector, address(token), address(eigen))
        );
        vm.prank(address(sm));
        bEigenStrategy.deposit(token, 1);
    }

    function test_withdrawalAsEigenRewraps() public {
        uint256 shares = _depositToken(IERC20(address(eigen)), 40_000e18);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(staker, bEigenStrategy, shares);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        uint256 before = eigen.balanceOf(staker);
        _complete(staker, w, true);
        assertEq(eigen.balanceOf(staker) - before, 40_000e18);
        assertEq(eigen.wrappedSupply(), eigen.backingHeld());
    }

    function test_duringAChallengeEigenDepositsAreRefusedAndWithdrawalsPayBEigen() public {
        uint256 shares = _depositToken(IERC20(address(eigen)), 40_000e18);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(staker, bEigenStrategy, shares);
        uint256 id = _challenge();
        vm.startPrank(staker);
        eigen.approve(address(sm), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IBEigenStrategy.EigenDepositsFrozen.selector, id));
        sm.depositIntoStrategy(bEigenStrategy, IERC20(address(eigen)), 1e18);
        vm.stopPrank();
        _depositToken(IERC20(address(bEigen)), 1e18); // bEIGEN deposits still work

        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        uint256 before = bEigen.balanceOf(staker);
        vm.expectEmit(address(bEigenStrategy));
        emit IBEigenStrategy.PaidInBackingToken(staker, 40_000e18);
        _complete(staker, w, true);
        assertEq(bEigen.balanceOf(staker) - before, 40_000e18);
    }

    function test_aStrategyServesOneBEigenGeneration() public {
        _depositToken(IERC20(address(eigen)), 60_000e18);
        uint256 id = _challenge();
        vm.warp(block.timestamp + 1);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = keccak256(bytes.concat(keccak256(abi.encode(staker, uint256(60_000e18), true))));
        (uint256 forkId, , ) = forkFactory.createFork(id, leaves[0], 0, 60_000e18, "snapshot");
        registry.setCanonical(forkId);
        eigen.followCanonicalFork();
        address forkToken = address(eigen.backing());
        vm.startPrank(staker);
        IERC20(address(bEigen)).approve(address(sm), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IBEigenStrategy.BackingForked.selector, address(bEigen), forkToken));
        sm.depositIntoStrategy(bEigenStrategy, IERC20(address(bEigen)), 1e18);
        vm.stopPrank();
    }
}
