// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManagerErrors, IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IDelegationManagerErrors, IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {IPausable} from "../../../contracts/interfaces/IPausable.sol";
import {ISignatureUtilsMixin} from "../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

contract SlashingTest is RestakingTestBase {
    address internal operator = makeAddr("operator");
    address internal alice = makeAddr("alice");
    uint32 internal constant SET = 1;

    function setUp() public override {
        super.setUp();
        _createSet(SET, _strategies(strategy), true);
        _registerOperator(operator, 0);
        _deposit(alice, strategy, 100e18);
        _delegate(alice, operator);
        _allocate(operator, SET, strategy, 0.5e18);
        _registerForSet(operator, SET);
    }

    function _params(
        IStrategy[] memory strategies,
        uint256[] memory wads
    ) internal view returns (IAllocationManagerTypes.SlashingParams memory) {
        return
            IAllocationManagerTypes.SlashingParams({
                operator: operator,
                operatorSetId: SET,
                strategies: strategies,
                wadsToSlash: wads,
                description: "x"
            });
    }

    function _wads(uint256 w) internal pure returns (uint256[] memory list) {
        list = new uint256[](1);
        list[0] = w;
    }

    function _expectSlashRevert(IAllocationManagerTypes.SlashingParams memory params, bytes memory err) internal {
        vm.prank(slasher);
        vm.expectRevert(err);
        am.slashOperator(avs, params);
    }

    // ------------------------------------------------------------------ happy path

    function test_slashTakesFractionOfAllocationFromEveryone() public {
        // 50% allocated, slash 50% of it: a quarter of the operator's stake.
        (uint256 slashId, uint256 shares) = _slash(operator, SET, strategy, 0.5e18);
        assertEq(slashId, 1);
        assertEq(shares, 25e18);
        assertEq(am.getMaxMagnitude(operator, strategy), 0.75e18);
        assertEq(am.getAllocation(operator, _set(SET), strategy).currentMagnitude, 0.25e18);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0.25e18);
        assertEq(_operatorShares(operator, strategy), 75e18);
        assertEq(_withdrawable(alice, strategy), 75e18);
        assertEq(sm.getBurnOrRedistributableShares(_set(SET), 1, strategy), 25e18);
        assertEq(am.getSlashCount(_set(SET)), 1);
        assertEq(am.getMaxMagnitudesAtBlock(operator, _strategies(strategy), uint32(block.number - 1))[0], WAD);
        assertTrue(am.isOperatorRedistributable(operator));
    }

    function test_redistributionEndToEndPaysVictimsExactly() public {
        (uint256 slashId, ) = _slash(operator, SET, strategy, 0.5e18);
        uint256 before = token.balanceOf(address(strategy));
        vm.roll(block.number + SLASH_RESOLUTION_DELAY + 1);
        uint256[] memory amounts = sm.clearBurnOrRedistributableShares(_set(SET), slashId);
        assertEq(amounts[0], 25e18);
        assertEq(token.balanceOf(victims), 25e18);
        assertEq(before - token.balanceOf(address(strategy)), 25e18, "strategy outflow == redistributed");
        // The staker can still withdraw exactly the rest.
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 100e18);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        _complete(alice, w, true);
        assertEq(token.balanceOf(alice), 75e18);
    }

    function test_queuedWithdrawalOneBlockEarlierStillLoses50Percent() public {
        _allocate(operator, SET, strategy, WAD);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 100e18);
        assertEq(_operatorShares(operator, strategy), 0);
        vm.roll(block.number + 1);
        (, uint256 shares) = _slash(operator, SET, strategy, 0.5e18);
        assertEq(shares, 50e18, "queued shares are slashed too");
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        _complete(alice, w, true);
        assertEq(token.balanceOf(alice), 50e18);
        vm.roll(block.number + SLASH_RESOLUTION_DELAY + 1);
        sm.clearBurnOrRedistributableShares(_set(SET), 1);
        assertEq(token.balanceOf(victims), 50e18);
        assertEq(token.balanceOf(address(strategy)), 0);
    }

    function test_withdrawalAfterDelayIsNoLongerSlashed() public {
        _allocate(operator, SET, strategy, WAD);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, 40e18);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        (, uint256 shares) = _slash(operator, SET, strategy, 0.5e18);
        assertEq(shares, 30e18, "only the 60 still delegated");
        _complete(alice, w, true);
        assertEq(token.balanceOf(alice), 40e18);
    }

    function test_pendingDeallocationShrinksProportionally() public {
        _allocate(operator, SET, strategy, 0.1e18); // pending -0.4
        _slash(operator, SET, strategy, 0.5e18);
        IAllocationManagerTypes.Allocation memory a = am.getAllocation(operator, _set(SET), strategy);
        assertEq(a.currentMagnitude, 0.25e18);
        assertEq(a.pendingDiff, -0.2e18);
        vm.roll(a.effectBlock);
        assertEq(am.getAllocation(operator, _set(SET), strategy).currentMagnitude, 0.05e18);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0.05e18);
    }

    /// @dev The slashed part of a pending deallocation rounds up (for the protocol): slashing a third of a
    /// pending -0.4 removes ceil(0.4e18 / 3) from it, so the deallocation frees less, never more.
    function test_pendingDeallocationSlashRoundsUp() public {
        _allocate(operator, SET, strategy, 0.1e18); // pending -0.4
        uint256 third = 333_333_333_333_333_333;
        _slash(operator, SET, strategy, third);
        int128 pending = am.getAllocation(operator, _set(SET), strategy).pendingDiff;
        uint256 slashedPending = (uint256(0.4e18) * third + WAD - 1) / WAD; // ceil
        assertEq(pending, -int128(uint128(0.4e18 - slashedPending)));
    }

    function test_slashZeroMagnitudeAllocationIsSkipped() public {
        _createSet(2, _strategies(strategy), false);
        _registerForSet(operator, 2);
        vm.prank(slasher);
        (uint256 slashId, uint256[] memory shares) = am.slashOperator(
            avs,
            IAllocationManagerTypes.SlashingParams({
                operator: operator,
                operatorSetId: 2,
                strategies: _strategies(strategy),
                wadsToSlash: _wads(WAD),
                description: "nothing allocated"
            })
        );
        assertEq(slashId, 1);
        assertEq(shares[0], 0);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD);
    }

    function test_slashableWindowAfterDeregistration() public {
        uint32[] memory ids = new uint32[](1);
        ids[0] = SET;
        vm.prank(operator);
        am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids));
        vm.roll(block.number + DEALLOCATION_DELAY);
        _slash(operator, SET, strategy, 0.5e18);
        vm.roll(block.number + 1);
        _expectSlashRevert(
            _params(_strategies(strategy), _wads(0.5e18)),
            abi.encodeWithSelector(IAllocationManagerErrors.OperatorNotSlashable.selector, operator, avs, SET)
        );
    }

    function test_fullySlashedOperatorRefusesNewDelegationAndDeposits() public {
        _allocate(operator, SET, strategy, WAD);
        _slash(operator, SET, strategy, WAD);
        assertEq(am.getMaxMagnitude(operator, strategy), 0);
        assertEq(_withdrawable(alice, strategy), 0);
        address bob = makeAddr("bob");
        _deposit(bob, strategy, 1e18);
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.FullySlashed.selector, operator, strategy));
        dm.delegateTo(operator, noSig, bytes32(0));
        token.mint(alice, 1e18);
        vm.startPrank(alice);
        token.approve(address(sm), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IDelegationManagerErrors.FullySlashed.selector, operator, strategy));
        sm.depositIntoStrategy(strategy, token, 1e18);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ revert paths

    function test_slashRevertPaths() public {
        _expectSlashRevert(
            _params(_strategies(strategy), _wads(0)),
            abi.encodeWithSelector(IAllocationManagerErrors.InvalidWadToSlash.selector, 0)
        );
        _expectSlashRevert(
            _params(_strategies(strategy), _wads(WAD + 1)),
            abi.encodeWithSelector(IAllocationManagerErrors.InvalidWadToSlash.selector, WAD + 1)
        );
        _expectSlashRevert(
            _params(_strategies(strategy), new uint256[](0)),
            abi.encodeWithSelector(IAllocationManagerErrors.InputArrayLengthMismatch.selector, 1, 0)
        );
        IStrategy[] memory twice = new IStrategy[](2);
        (twice[0], twice[1]) = (strategy, strategy);
        uint256[] memory wads = new uint256[](2);
        (wads[0], wads[1]) = (1, 1);
        _expectSlashRevert(
            _params(twice, wads),
            abi.encodeWithSelector(
                IAllocationManagerErrors.StrategiesMustBeInAscendingOrder.selector,
                strategy,
                strategy
            )
        );
        VcloudTestToken other = new VcloudTestToken("O", "O", address(this));
        IStrategy outside = factory.deployNewStrategy(other);
        _expectSlashRevert(
            _params(_strategies(outside), _wads(1)),
            abi.encodeWithSelector(IAllocationManagerErrors.StrategyNotInOperatorSet.selector, outside)
        );
        IAllocationManagerTypes.SlashingParams memory p = _params(_strategies(strategy), _wads(1));
        p.operatorSetId = 9;
        _expectSlashRevert(
            p,
            abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperatorSet.selector, avs, uint32(9))
        );

        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.slashOperator(avs, _params(_strategies(strategy), _wads(1)));
    }

    function test_slashPaused() public {
        vm.prank(pauser);
        am.pause(1 << 1);
        _expectSlashRevert(
            _params(_strategies(strategy), _wads(1)),
            abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(1))
        );
    }

    // ------------------------------------------------------------------ audit regressions (restaking-reference §1.9/1.10)

    /// @dev Sigma Prime EGSL-05 / Certora M-01 / EigenLayer PR #1052: a 100% slash of a pending deallocation
    /// rounds its pendingDiff to 0; a new modification must not overwrite the queued entry.
    function test_regression_EGSL05_pendingDeallocationOverwrite() public {
        _allocate(operator, SET, strategy, 0); // pending -0.5, queued
        uint32 effect = am.getAllocation(operator, _set(SET), strategy).effectBlock;
        _slash(operator, SET, strategy, WAD);
        IAllocationManagerTypes.Allocation memory a = am.getAllocation(operator, _set(SET), strategy);
        assertEq(a.pendingDiff, 0);
        assertEq(a.effectBlock, effect);
        IAllocationManagerTypes.AllocateParams[] memory params = new IAllocationManagerTypes.AllocateParams[](1);
        uint64[] memory mags = new uint64[](1);
        mags[0] = 0.1e18;
        params[0] = IAllocationManagerTypes.AllocateParams(_set(SET), _strategies(strategy), mags);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAllocationManagerErrors.ModificationAlreadyPending.selector,
                operator,
                strategy,
                effect
            )
        );
        am.modifyAllocations(operator, params);
    }

    /// @dev Certora C-01 / EigenLayer PR #1027: unsafe casts let a magnitude above WAD push encumbered past max.
    function test_regression_C01_unsafeCastMagnitudeAboveWadRejected() public {
        IAllocationManagerTypes.AllocateParams[] memory params = new IAllocationManagerTypes.AllocateParams[](1);
        uint64[] memory mags = new uint64[](1);
        mags[0] = type(uint64).max;
        params[0] = IAllocationManagerTypes.AllocateParams(_set(SET), _strategies(strategy), mags);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.MagnitudeExceedsWad.selector, type(uint64).max)
        );
        am.modifyAllocations(operator, params);
    }

    /// @dev EigenLayer PR #1088 / Sigma Prime EGSL-13: tiny slashes. Rounding the slashed magnitude up means
    /// even wadToSlash = 1 always removes magnitude.
    function test_regression_EGSL13_tinySlashStillRemovesMagnitude() public {
        _slash(operator, SET, strategy, 1);
        assertEq(am.getMaxMagnitude(operator, strategy), WAD - 1);
    }

    /// @dev SharesAccountingEdgeCases "Rounding up on Slashing": an operator cannot make slashes round to zero
    /// by shrinking its magnitude; repeated slashes reach zero.
    function test_regression_roundingToZero_repeatedSlashesReachZero() public {
        _allocate(operator, SET, strategy, WAD);
        _slash(operator, SET, strategy, WAD - 3); // magnitude left: 3
        assertEq(am.getMaxMagnitude(operator, strategy), 3);
        for (uint256 i = 0; i < 3; ++i) {
            _slash(operator, SET, strategy, 1); // 1 wei of WAD: ceil(3 * 1 / 1e18) = 1
        }
        assertEq(am.getMaxMagnitude(operator, strategy), 0);
    }

    /// @dev Sigma Prime EGSL-07: a strategy removed from the set is no longer slashable stake for that set.
    function test_regression_EGSL07_minimumSlashableStakeIgnoresRemovedStrategy() public {
        vm.prank(avs);
        am.removeStrategiesFromOperatorSet(avs, SET, _strategies(strategy));
        address[] memory ops = new address[](1);
        ops[0] = operator;
        assertEq(am.getMinimumSlashableStake(_set(SET), ops, _strategies(strategy), uint32(block.number))[0][0], 0);
    }

    /// @dev EigenLayer PR #869: withdrawals are requested in deposit shares, so "withdraw everything" still works
    /// after repeated slashing rounded withdrawable shares.
    function test_regression_PR869_queueAllDepositSharesAfterSlashes() public {
        _slash(operator, SET, strategy, 0.333333333333333333e18);
        _slash(operator, SET, strategy, 0.1e18);
        uint256 deposit = sm.stakerDepositShares(alice, strategy);
        (IDelegationManagerTypes.Withdrawal memory w, ) = _queue(alice, strategy, deposit);
        vm.roll(block.number + MIN_WITHDRAWAL_DELAY + 1);
        _complete(alice, w, true);
        assertEq(sm.stakerDepositShares(alice, strategy), 0);
    }

    /// @dev ELIP-016: a compromised slasher cannot move funds at once; governance can pause clearing.
    function test_regression_ELIP016_compromisedSlasherWaitsForResolution() public {
        (uint256 slashId, ) = _slash(operator, SET, strategy, WAD);
        uint32 resolution = sm.getSlashResolutionBlock(_set(SET), slashId);
        vm.expectRevert();
        sm.clearBurnOrRedistributableShares(_set(SET), slashId);
        vm.prank(pauser);
        sm.pause(1 << 1);
        vm.roll(resolution + 1);
        vm.expectRevert(abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(1)));
        sm.clearBurnOrRedistributableShares(_set(SET), slashId);
        assertEq(token.balanceOf(victims), 0);
    }
}
