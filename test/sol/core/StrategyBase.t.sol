// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IPausable} from "../../../contracts/interfaces/IPausable.sol";
import {IStrategy, IStrategyErrors} from "../../../contracts/interfaces/IStrategy.sol";
import {IStrategyFactory} from "../../../contracts/interfaces/IStrategyFactory.sol";
import {IStrategyManager} from "../../../contracts/interfaces/IStrategyManager.sol";
import {StrategyBase} from "../../../contracts/strategies/StrategyBase.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

contract StrategyBaseTest is RestakingTestBase {
    address internal alice = makeAddr("alice");
    address internal attacker = makeAddr("attacker");

    function test_firstDepositMintsOneSharePerToken() public {
        assertEq(_deposit(alice, strategy, 5e18), 5e18);
        assertEq(strategy.totalShares(), 5e18);
        assertEq(strategy.sharesToUnderlyingView(5e18), 5e18);
        assertEq(strategy.userUnderlyingView(alice), 5e18);
        assertEq(strategy.shares(alice), 5e18);
    }

    /// @dev Inflation attack: deposit 1 wei, donate a lot, victim deposits. The virtual offsets make the
    /// attacker lose most of the donation instead of stealing the victim's deposit.
    function test_inflationAttackDoesNotStealVictimDeposit() public {
        _deposit(attacker, strategy, 1);
        token.mint(attacker, 1000e18);
        vm.prank(attacker);
        token.transfer(address(strategy), 1000e18);
        uint256 victimShares = _deposit(alice, strategy, 100e18);
        assertGt(victimShares, 0);
        // The victim can redeem at least 99.9% of their deposit.
        assertGe(strategy.sharesToUnderlyingView(victimShares), 99.9e18 - 1);
        // The attacker's 1 share is worth far less than the donation.
        assertLt(strategy.sharesToUnderlyingView(1), 2e18);
    }

    function testFuzz_depositThenWithdrawNeverReturnsMore(uint96 first, uint96 second) public {
        vm.assume(first > 0 && second > 0);
        uint256 s1 = _deposit(alice, strategy, first);
        uint256 s2 = _deposit(attacker, strategy, second);
        assertLe(strategy.sharesToUnderlyingView(s1) + strategy.sharesToUnderlyingView(s2), uint256(first) + second);
        assertLe(strategy.sharesToUnderlyingView(s2), second);
    }

    function test_depositOnlyByStrategyManager() public {
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.OnlyStrategyManager.selector, address(this)));
        strategy.deposit(token, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.OnlyStrategyManager.selector, address(this)));
        strategy.withdraw(alice, token, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.OnlyStrategyManager.selector, address(this)));
        strategy.beforeAddShares(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.OnlyStrategyManager.selector, address(this)));
        strategy.beforeRemoveShares(alice, 1);
    }

    function test_depositZeroSharesReverts() public {
        _deposit(alice, strategy, 1e18);
        // Make one share worth more than one token, then deposit 1 wei.
        token.mint(address(strategy), 10e18);
        token.mint(alice, 1);
        vm.startPrank(alice);
        token.approve(address(sm), 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.NewSharesZero.selector, 1));
        sm.depositIntoStrategy(strategy, token, 1);
        vm.stopPrank();
    }

    function test_totalSharesAboveMaxReverts() public {
        uint256 tooMuch = 1e38;
        token.mint(alice, tooMuch);
        vm.startPrank(alice);
        token.approve(address(sm), tooMuch);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.TotalSharesExceedsMax.selector, tooMuch, 1e38 - 1));
        sm.depositIntoStrategy(strategy, token, tooMuch);
        vm.stopPrank();
    }

    function test_withdrawMoreThanTotalSharesReverts() public {
        _deposit(alice, strategy, 1e18);
        vm.prank(address(sm));
        vm.expectRevert(
            abi.encodeWithSelector(IStrategyErrors.WithdrawalAmountExceedsTotalDeposits.selector, 2e18, 1e18)
        );
        strategy.withdraw(alice, token, 2e18);
    }

    function test_wrongTokenReverts() public {
        VcloudTestToken other = new VcloudTestToken("Other", "OTH", address(this));
        vm.startPrank(address(sm));
        vm.expectRevert(
            abi.encodeWithSelector(IStrategyErrors.OnlyUnderlyingToken.selector, address(other), address(token))
        );
        strategy.deposit(other, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStrategyErrors.OnlyUnderlyingToken.selector, address(other), address(token))
        );
        strategy.withdraw(alice, other, 0);
        vm.stopPrank();
    }

    function test_tvlLimitsOnlyGovernanceAndOrdered() public {
        vm.expectRevert(abi.encodeWithSelector(IPausable.OnlyUnpauser.selector, address(this)));
        strategy.setTVLLimits(1, 2);
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.MaxPerDepositExceedsMax.selector, 3, 2));
        strategy.setTVLLimits(3, 2);
    }

    function test_perDepositCapEnforced() public {
        vm.prank(governance);
        strategy.setTVLLimits(10e18, 15e18);
        (uint256 perDeposit, uint256 total) = strategy.getTVLLimits();
        assertEq(perDeposit, 10e18);
        assertEq(total, 15e18);
        token.mint(alice, 11e18);
        vm.startPrank(alice);
        token.approve(address(sm), 11e18);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.DepositExceedsMaxPerDeposit.selector, 11e18, 10e18));
        sm.depositIntoStrategy(strategy, token, 11e18);
        vm.stopPrank();
    }

    function test_totalCapEnforced() public {
        vm.prank(governance);
        strategy.setTVLLimits(10e18, 15e18);
        _deposit(alice, strategy, 10e18);
        token.mint(alice, 6e18);
        vm.startPrank(alice);
        token.approve(address(sm), 6e18);
        vm.expectRevert(abi.encodeWithSelector(IStrategyErrors.BalanceExceedsMaxTotalDeposits.selector, 16e18, 15e18));
        sm.depositIntoStrategy(strategy, token, 6e18);
        vm.stopPrank();
    }

    function test_pausedDepositsRevert() public {
        vm.prank(pauser);
        strategy.pause(1 << 0);
        token.mint(alice, 1e18);
        vm.startPrank(alice);
        token.approve(address(sm), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(0)));
        sm.depositIntoStrategy(strategy, token, 1e18);
        vm.stopPrank();
    }

    function test_constructorRejectsZeroAddresses() public {
        vm.expectRevert(IPausable.InputAddressZero.selector);
        new StrategyBase(IStrategyManager(address(0)), pauserRegistry, token);
        vm.expectRevert(IPausable.InputAddressZero.selector);
        new StrategyBase(sm, pauserRegistry, IERC20(address(0)));
    }

    function test_explanationAndViews() public {
        assertGt(bytes(strategy.explanation()).length, 0);
        assertEq(address(strategy.underlyingToken()), address(token));
        assertEq(strategy.underlyingToSharesView(1e18), 1e18);
        assertEq(strategy.sharesToUnderlying(1e18), 1e18);
        assertEq(strategy.underlyingToShares(1e18), 1e18);
        assertEq(strategy.userUnderlying(alice), 0);
    }
}

contract StrategyFactoryTest is RestakingTestBase {
    function test_deployNewStrategyWhitelistsIt() public view {
        assertEq(address(factory.deployedStrategies(token)), address(strategy));
        assertTrue(sm.strategyIsWhitelistedForDeposit(strategy));
    }

    function test_secondStrategyForTokenReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IStrategyFactory.StrategyAlreadyExists.selector, token, strategy));
        factory.deployNewStrategy(token);
    }

    function test_zeroTokenReverts() public {
        vm.expectRevert(IStrategyFactory.TokenAddressZero.selector);
        factory.deployNewStrategy(IERC20(address(0)));
    }

    function test_blacklistedTokenRejectedAndDewhitelisted() public {
        VcloudTestToken other = new VcloudTestToken("Other", "OTH", address(this));
        IERC20[] memory tokens = new IERC20[](2);
        tokens[0] = token;
        tokens[1] = other;
        vm.prank(governance);
        factory.blacklistTokens(tokens);
        assertTrue(factory.isBlacklisted(other));
        assertFalse(sm.strategyIsWhitelistedForDeposit(strategy));
        vm.expectRevert(abi.encodeWithSelector(IStrategyFactory.BlacklistedToken.selector, other));
        factory.deployNewStrategy(other);
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(IStrategyFactory.AlreadyBlacklisted.selector, token));
        factory.blacklistTokens(tokens);
    }

    function test_governanceWhitelistsExternalStrategies() public {
        VcloudTestToken other = new VcloudTestToken("Other", "OTH", address(this));
        IStrategy external_ = new StrategyBase(sm, pauserRegistry, other);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        factory.whitelistStrategies(_strategies(external_));
        vm.startPrank(governance);
        factory.whitelistStrategies(_strategies(external_));
        assertTrue(sm.strategyIsWhitelistedForDeposit(external_));
        factory.removeStrategiesFromWhitelist(_strategies(external_));
        assertFalse(sm.strategyIsWhitelistedForDeposit(external_));
        vm.stopPrank();
    }
}
