// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IPausable} from "../../../contracts/interfaces/IPausable.sol";
import {ISignatureUtilsMixin} from "../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {IStrategyManagerErrors} from "../../../contracts/interfaces/IStrategyManager.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

contract StrategyManagerTest is RestakingTestBase {
    address internal alice;
    uint256 internal aliceKey;
    address internal relayer = makeAddr("relayer");

    function setUp() public override {
        super.setUp();
        (alice, aliceKey) = makeAddrAndKey("alice");
    }

    function _signDeposit(uint256 amount, uint256 nonce, uint256 expiry) internal view returns (bytes memory) {
        bytes32 digest = sm.calculateStrategyDepositDigestHash(alice, strategy, token, amount, nonce, expiry);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _relayerFunds(uint256 amount) internal {
        token.mint(relayer, amount);
        vm.prank(relayer);
        token.approve(address(sm), amount);
    }

    function test_depositCreditsSharesAndStrategyList() public {
        uint256 shares = _deposit(alice, strategy, 3e18);
        assertEq(sm.stakerDepositShares(alice, strategy), shares);
        assertEq(sm.stakerStrategyListLength(alice), 1);
        (IStrategy[] memory strategies, uint256[] memory amounts) = sm.getDeposits(alice);
        assertEq(address(strategies[0]), address(strategy));
        assertEq(amounts[0], shares);
        assertEq(address(sm.getStakerStrategyList(alice)[0]), address(strategy));
        assertEq(token.balanceOf(address(strategy)), 3e18);
    }

    function test_depositWithSignatureCreditsSignerAndUsesNonce() public {
        _relayerFunds(2e18);
        uint256 expiry = block.timestamp + 1 hours;
        bytes memory sig = _signDeposit(2e18, 0, expiry);
        vm.prank(relayer);
        sm.depositIntoStrategyWithSignature(strategy, token, 2e18, alice, expiry, sig);
        assertEq(sm.stakerDepositShares(alice, strategy), 2e18);
        assertEq(sm.nonces(alice), 1);
        assertNotEq(sm.domainSeparator(), bytes32(0));
    }

    function test_depositWithSignatureReplayRejected() public {
        _relayerFunds(4e18);
        uint256 expiry = block.timestamp + 1 hours;
        bytes memory sig = _signDeposit(2e18, 0, expiry);
        vm.startPrank(relayer);
        sm.depositIntoStrategyWithSignature(strategy, token, 2e18, alice, expiry, sig);
        vm.expectRevert(abi.encodeWithSelector(ISignatureUtilsMixin.InvalidSignature.selector, alice));
        sm.depositIntoStrategyWithSignature(strategy, token, 2e18, alice, expiry, sig);
        vm.stopPrank();
    }

    function test_depositWithExpiredSignatureReverts() public {
        _relayerFunds(1e18);
        uint256 expiry = block.timestamp - 1;
        bytes memory sig = _signDeposit(1e18, 0, expiry);
        vm.prank(relayer);
        vm.expectRevert(
            abi.encodeWithSelector(ISignatureUtilsMixin.SignatureExpired.selector, expiry, block.timestamp)
        );
        sm.depositIntoStrategyWithSignature(strategy, token, 1e18, alice, expiry, sig);
    }

    function test_depositIntoUnwhitelistedStrategyReverts() public {
        VcloudTestToken other = new VcloudTestToken("Other", "OTH", address(this));
        IStrategy unlisted = IStrategy(makeAddr("unlisted"));
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.StrategyNotWhitelisted.selector, unlisted));
        sm.depositIntoStrategy(unlisted, other, 1);
    }

    function test_maxStrategiesPerStaker() public {
        for (uint256 i = 0; i < 32; ++i) {
            VcloudTestToken t = new VcloudTestToken("T", "T", address(this));
            _deposit(alice, factory.deployNewStrategy(t), 1e18);
        }
        VcloudTestToken last = new VcloudTestToken("T", "T", address(this));
        IStrategy lastStrategy = factory.deployNewStrategy(last);
        last.mint(alice, 1e18);
        vm.startPrank(alice);
        last.approve(address(sm), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.MaxStrategiesExceeded.selector, alice, 32));
        sm.depositIntoStrategy(lastStrategy, last, 1e18);
        vm.stopPrank();
    }

    function test_shareManagerFunctionsOnlyDelegationManager() public {
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyDelegationManager.selector, address(this)));
        sm.removeDepositShares(alice, strategy, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyDelegationManager.selector, address(this)));
        sm.addShares(alice, strategy, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyDelegationManager.selector, address(this)));
        sm.withdrawSharesAsTokens(alice, strategy, token, 1);
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyDelegationManager.selector, address(this)));
        sm.increaseBurnOrRedistributableShares(_set(1), 1, strategy, 1);
    }

    function test_removeZeroOrTooManySharesReverts() public {
        _deposit(alice, strategy, 1e18);
        vm.startPrank(address(dm));
        vm.expectRevert(IStrategyManagerErrors.SharesAmountZero.selector);
        sm.removeDepositShares(alice, strategy, 0);
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.SharesAmountTooHigh.selector, 2e18, 1e18));
        sm.removeDepositShares(alice, strategy, 2e18);
        vm.stopPrank();
    }

    function test_addSharesToZeroStakerReverts() public {
        vm.prank(address(dm));
        vm.expectRevert(IStrategyManagerErrors.StakerAddressZero.selector);
        sm.addShares(address(0), strategy, 1);
    }

    function test_sameStrategyTwiceInOneSlashReverts() public {
        _deposit(alice, strategy, 1e18);
        vm.startPrank(address(dm));
        sm.increaseBurnOrRedistributableShares(_set(1), 7, strategy, 5);
        vm.expectRevert(
            abi.encodeWithSelector(IStrategyManagerErrors.StrategyAlreadyInSlash.selector, avs, uint32(1), 7, strategy)
        );
        sm.increaseBurnOrRedistributableShares(_set(1), 7, strategy, 5);
        vm.stopPrank();
    }

    function test_whitelistFunctionsOnlyWhitelister() public {
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyStrategyWhitelister.selector, address(this)));
        sm.addStrategiesToDepositWhitelist(_strategies(strategy));
        vm.expectRevert(abi.encodeWithSelector(IStrategyManagerErrors.OnlyStrategyWhitelister.selector, address(this)));
        sm.removeStrategiesFromDepositWhitelist(_strategies(strategy));
    }

    function test_pausedDepositsRevert() public {
        vm.prank(pauser);
        sm.pause(1 << 0);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(0)));
        sm.depositIntoStrategy(strategy, token, 1);
    }

    /// @dev Records slashed shares directly (as the DelegationManager would) and checks the clearing rules.
    function test_clearWaitsForResolutionDelayThenPaysRecipient() public {
        _createSet(1, _strategies(strategy), true);
        _deposit(alice, strategy, 10e18);
        vm.prank(address(dm));
        sm.increaseBurnOrRedistributableShares(_set(1), 1, strategy, 4e18);
        uint32 resolution = sm.getSlashResolutionBlock(_set(1), 1);
        assertEq(resolution, uint32(block.number) + SLASH_RESOLUTION_DELAY);
        assertEq(sm.getBurnOrRedistributableCount(_set(1), 1), 1);
        assertEq(sm.getPendingOperatorSets().length, 1);
        assertEq(sm.getPendingSlashIds(_set(1))[0], 1);

        vm.roll(resolution);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStrategyManagerErrors.SlashResolutionDelayNotElapsed.selector,
                1,
                resolution,
                block.number
            )
        );
        sm.clearBurnOrRedistributableShares(_set(1), 1);

        vm.roll(resolution + 1);
        uint256[] memory amounts = sm.clearBurnOrRedistributableShares(_set(1), 1);
        assertEq(amounts[0], 4e18);
        assertEq(token.balanceOf(victims), 4e18);
        assertEq(sm.getBurnOrRedistributableCount(_set(1), 1), 0);
        assertEq(sm.getPendingOperatorSets().length, 0);
        assertEq(sm.clearBurnOrRedistributableSharesByStrategy(_set(1), 1, strategy), 0, "nothing left");
    }

    function test_clearPausedByBurningAndRedistributionFlag() public {
        vm.prank(pauser);
        sm.pause(1 << 1);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(1)));
        sm.clearBurnOrRedistributableShares(_set(1), 1);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(1)));
        sm.clearBurnOrRedistributableSharesByStrategy(_set(1), 1, strategy);
    }

    function test_clearOfBurningSetSendsToBurnAddress() public {
        _createSet(2, _strategies(strategy), false);
        _deposit(alice, strategy, 10e18);
        vm.prank(address(dm));
        sm.increaseBurnOrRedistributableShares(_set(2), 1, strategy, 1e18);
        vm.roll(block.number + SLASH_RESOLUTION_DELAY + 1);
        (IStrategy[] memory strategies, uint256[] memory shares) = sm.getBurnOrRedistributableShares(_set(2), 1);
        assertEq(address(strategies[0]), address(strategy));
        assertEq(shares[0], 1e18);
        assertEq(sm.getBurnOrRedistributableShares(_set(2), 1, strategy), 1e18);
        assertEq(sm.clearBurnOrRedistributableSharesByStrategy(_set(2), 1, strategy), 1e18);
        assertEq(token.balanceOf(BURN), 1e18);
    }

    function test_setStrategyWhitelisterOnlyOwner() public {
        vm.expectRevert();
        sm.setStrategyWhitelister(address(this));
        vm.prank(governance);
        sm.setStrategyWhitelister(address(this));
        assertEq(sm.strategyWhitelister(), address(this));
    }
}
