// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {AllocationManager} from "../../../../contracts/core/AllocationManager.sol";
import {DelegationManager} from "../../../../contracts/core/DelegationManager.sol";
import {IAllocationManagerTypes} from "../../../../contracts/interfaces/IAllocationManager.sol";
import {IDelegationManagerTypes} from "../../../../contracts/interfaces/IDelegationManager.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISignatureUtilsMixin} from "../../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../../contracts/libraries/OperatorSetLib.sol";
import {RestakingTestBase} from "../RestakingTestBase.sol";
import {StrategyManager} from "../../../../contracts/core/StrategyManager.sol";
import {Test} from "forge-std/Test.sol";
import {VcloudTestToken} from "../../../../contracts/tokens/VcloudTestToken.sol";

/// @dev Drives random restaking flows (deposits, delegation, allocations, registration, queued withdrawals,
/// slashes, clears, time) and checks the slashing rules around every slash and clear. The invariant
/// contract reads the ghost flags and the contracts' views.
contract RestakingHandler is Test {
    uint64 internal constant WAD = 1e18;
    uint32 internal constant SET_COUNT = 2;

    AllocationManager public am;
    DelegationManager public dm;
    StrategyManager public sm;
    address public avs;
    address public slasher;

    address[] public operators;
    address[] public stakers;
    IStrategy[] public strategies;

    mapping(address operator => mapping(IStrategy strategy => uint64)) public lastMaxMagnitude;
    IDelegationManagerTypes.Withdrawal[] internal _withdrawals;
    uint256[] internal _slashIds;
    uint32[] internal _slashSets;

    // Ghost flags: set when a rule is broken inside an action.
    bool public maxMagnitudeIncreased;
    bool public overSlashed;
    bool public uniqueStakeBroken;
    bool public withdrawableNotScaled;
    bool public clearOutflowMismatch;
    uint256 public slashCount;
    uint256 public clearCount;

    constructor(
        AllocationManager am_,
        DelegationManager dm_,
        StrategyManager sm_,
        address avs_,
        address slasher_,
        address[] memory operators_,
        address[] memory stakers_,
        IStrategy[] memory strategies_
    ) {
        (am, dm, sm, avs, slasher) = (am_, dm_, sm_, avs_, slasher_);
        operators = operators_;
        stakers = stakers_;
        strategies = strategies_;
        for (uint256 i = 0; i < operators.length; ++i) {
            for (uint256 j = 0; j < strategies.length; ++j) {
                lastMaxMagnitude[operators[i]][strategies[j]] = WAD;
            }
        }
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 stakerSeed, uint256 strategySeed, uint256 amount) external {
        address staker = stakers[stakerSeed % stakers.length];
        IStrategy strategy = strategies[strategySeed % strategies.length];
        amount = bound(amount, 1e9, 1e24);
        VcloudTestToken token = VcloudTestToken(address(strategy.underlyingToken()));
        token.mint(staker, amount);
        vm.startPrank(staker);
        token.approve(address(sm), amount);
        try sm.depositIntoStrategy(strategy, token, amount) {} catch {}
        vm.stopPrank();
        _afterAction();
    }

    function delegate(uint256 stakerSeed, uint256 operatorSeed) external {
        address staker = stakers[stakerSeed % stakers.length];
        if (dm.isDelegated(staker)) return;
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(staker);
        try dm.delegateTo(operators[operatorSeed % operators.length], noSig, bytes32(0)) {} catch {}
        _afterAction();
    }

    function undelegate(uint256 stakerSeed) external {
        address staker = stakers[stakerSeed % stakers.length];
        if (!dm.isDelegated(staker)) return;
        vm.prank(staker);
        bytes32[] memory roots = dm.undelegate(staker);
        for (uint256 i = 0; i < roots.length; ++i) {
            _withdrawals.push(dm.queuedWithdrawals(roots[i]));
        }
        _afterAction();
    }

    function queueWithdrawal(uint256 stakerSeed, uint256 strategySeed, uint256 fraction) external {
        address staker = stakers[stakerSeed % stakers.length];
        IStrategy strategy = strategies[strategySeed % strategies.length];
        uint256 held = sm.stakerDepositShares(staker, strategy);
        if (held == 0) return;
        uint256 amount = bound(fraction, 1, held);
        IDelegationManagerTypes.QueuedWithdrawalParams[]
            memory params = new IDelegationManagerTypes.QueuedWithdrawalParams[](1);
        params[0].strategies = new IStrategy[](1);
        params[0].strategies[0] = strategy;
        params[0].depositShares = new uint256[](1);
        params[0].depositShares[0] = amount;
        vm.prank(staker);
        bytes32[] memory roots = dm.queueWithdrawals(params);
        _withdrawals.push(dm.queuedWithdrawals(roots[0]));
        _afterAction();
    }

    function completeWithdrawal(uint256 seed, bool asTokens) external {
        if (_withdrawals.length == 0) return;
        uint256 index = seed % _withdrawals.length;
        IDelegationManagerTypes.Withdrawal memory w = _withdrawals[index];
        if (block.number <= w.startBlock + dm.minWithdrawalDelayBlocks()) return;
        IERC20[] memory tokens = new IERC20[](1);
        tokens[0] = w.strategies[0].underlyingToken();
        vm.prank(w.withdrawer);
        try dm.completeQueuedWithdrawal(w, tokens, asTokens) {
            _withdrawals[index] = _withdrawals[_withdrawals.length - 1];
            _withdrawals.pop();
        } catch {}
        _afterAction();
    }

    function modifyAllocation(uint256 operatorSeed, uint256 setSeed, uint256 strategySeed, uint256 magnitude) external {
        address operator = operators[operatorSeed % operators.length];
        IAllocationManagerTypes.AllocateParams[] memory params = new IAllocationManagerTypes.AllocateParams[](1);
        params[0].operatorSet = OperatorSet(avs, uint32(setSeed % SET_COUNT) + 1);
        params[0].strategies = new IStrategy[](1);
        params[0].strategies[0] = strategies[strategySeed % strategies.length];
        params[0].newMagnitudes = new uint64[](1);
        params[0].newMagnitudes[0] = uint64(bound(magnitude, 0, WAD));
        vm.prank(operator);
        try am.modifyAllocations(operator, params) {} catch {}
        _afterAction();
    }

    function register(uint256 operatorSeed, uint256 setSeed) external {
        address operator = operators[operatorSeed % operators.length];
        uint32[] memory ids = new uint32[](1);
        ids[0] = uint32(setSeed % SET_COUNT) + 1;
        vm.prank(operator);
        try am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, "")) {} catch {}
        _afterAction();
    }

    function deregister(uint256 operatorSeed, uint256 setSeed) external {
        address operator = operators[operatorSeed % operators.length];
        uint32[] memory ids = new uint32[](1);
        ids[0] = uint32(setSeed % SET_COUNT) + 1;
        vm.prank(operator);
        try am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids)) {} catch {}
        _afterAction();
    }

    function roll(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 30));
        _afterAction();
    }

    function clearDeallocationQueue(uint256 operatorSeed, uint256 strategySeed) external {
        IStrategy[] memory list = new IStrategy[](1);
        list[0] = strategies[strategySeed % strategies.length];
        uint16[] memory counts = new uint16[](1);
        counts[0] = type(uint16).max;
        am.clearDeallocationQueue(operators[operatorSeed % operators.length], list, counts);
        _afterAction();
    }

    struct SlashSnapshot {
        uint64 prevMax;
        uint256 opShares;
        uint256 otherSetStake;
        uint256[] withdrawable;
    }

    function slash(uint256 operatorSeed, uint256 setSeed, uint256 strategySeed, uint256 wad) external {
        address operator = operators[operatorSeed % operators.length];
        uint32 setId = uint32(setSeed % SET_COUNT) + 1;
        IStrategy strategy = strategies[strategySeed % strategies.length];
        if (!am.isOperatorSlashable(operator, OperatorSet(avs, setId))) return;
        wad = bound(wad, 1, WAD);

        SlashSnapshot memory before = _snapshot(operator, setId, strategy);
        IAllocationManagerTypes.SlashingParams memory params;
        params.operator = operator;
        params.operatorSetId = setId;
        params.strategies = new IStrategy[](1);
        params.strategies[0] = strategy;
        params.wadsToSlash = new uint256[](1);
        params.wadsToSlash[0] = wad;
        vm.prank(slasher);
        (uint256 slashId, uint256[] memory shares) = am.slashOperator(avs, params);
        ++slashCount;
        if (shares[0] > 0) {
            _slashIds.push(slashId);
            _slashSets.push(setId);
        }
        _checkSlash(operator, setId, strategy, before);
        _afterAction();
    }

    function clearSlash(uint256 seed) external {
        if (_slashIds.length == 0) return;
        uint256 index = seed % _slashIds.length;
        OperatorSet memory set = OperatorSet(avs, _slashSets[index]);
        uint256 slashId = _slashIds[index];
        if (block.number <= sm.getSlashResolutionBlock(set, slashId)) return;
        address recipient = am.getRedistributionRecipient(set);
        (IStrategy[] memory list, ) = sm.getBurnOrRedistributableShares(set, slashId);
        uint256[] memory strategyBefore = new uint256[](list.length);
        uint256[] memory recipientBefore = new uint256[](list.length);
        for (uint256 i = 0; i < list.length; ++i) {
            strategyBefore[i] = list[i].underlyingToken().balanceOf(address(list[i]));
            recipientBefore[i] = list[i].underlyingToken().balanceOf(recipient);
        }
        uint256[] memory amounts = sm.clearBurnOrRedistributableShares(set, slashId);
        ++clearCount;
        for (uint256 i = 0; i < list.length; ++i) {
            IERC20 token = list[i].underlyingToken();
            uint256 outflow = strategyBefore[i] - token.balanceOf(address(list[i]));
            uint256 received = token.balanceOf(recipient) - recipientBefore[i];
            if (outflow != amounts[i] || received != amounts[i]) clearOutflowMismatch = true;
        }
        _slashIds[index] = _slashIds[_slashIds.length - 1];
        _slashIds.pop();
        _slashSets[index] = _slashSets[_slashSets.length - 1];
        _slashSets.pop();
        _afterAction();
    }

    // ------------------------------------------------------------------ checks

    function _otherSetStake(address operator, uint32 setId, IStrategy strategy) internal view returns (uint256) {
        address[] memory ops = new address[](1);
        ops[0] = operator;
        IStrategy[] memory list = new IStrategy[](1);
        list[0] = strategy;
        uint32 other = setId == 1 ? 2 : 1;
        return am.getMinimumSlashableStake(OperatorSet(avs, other), ops, list, uint32(block.number))[0][0];
    }

    function _snapshot(
        address operator,
        uint32 setId,
        IStrategy strategy
    ) internal view returns (SlashSnapshot memory s) {
        s.prevMax = am.getMaxMagnitude(operator, strategy);
        s.opShares = dm.operatorShares(operator, strategy);
        s.otherSetStake = _otherSetStake(operator, setId, strategy);
        s.withdrawable = new uint256[](stakers.length);
        for (uint256 i = 0; i < stakers.length; ++i) {
            if (dm.delegatedTo(stakers[i]) == operator) s.withdrawable[i] = _withdrawableOf(stakers[i], strategy);
        }
    }

    function _checkSlash(address operator, uint32 setId, IStrategy strategy, SlashSnapshot memory before) internal {
        uint64 newMax = am.getMaxMagnitude(operator, strategy);
        uint256 opSlashed = before.opShares - dm.operatorShares(operator, strategy);
        // No over-slashing: the operator loses at most its shares times the magnitude ratio.
        if (before.prevMax > 0 && opSlashed * before.prevMax > before.opShares * (before.prevMax - newMax)) {
            overSlashed = true;
        }
        // Unique stake: the other set's slashable stake does not change (up to rounding).
        uint256 afterStake = _otherSetStake(operator, setId, strategy);
        uint256 tolerance = before.opShares / 1e18 + 3;
        if (_diff(afterStake, before.otherSetStake) > tolerance) uniqueStakeBroken = true;
        // Stakers' withdrawable shares fall exactly by the magnitude ratio (up to rounding).
        for (uint256 i = 0; i < stakers.length; ++i) {
            if (dm.delegatedTo(stakers[i]) != operator || before.prevMax == 0) continue;
            uint256 expected = (before.withdrawable[i] * newMax) / before.prevMax;
            if (_diff(_withdrawableOf(stakers[i], strategy), expected) > 2) withdrawableNotScaled = true;
        }
    }

    function _afterAction() internal {
        for (uint256 i = 0; i < operators.length; ++i) {
            for (uint256 j = 0; j < strategies.length; ++j) {
                uint64 current = am.getMaxMagnitude(operators[i], strategies[j]);
                if (current > lastMaxMagnitude[operators[i]][strategies[j]]) maxMagnitudeIncreased = true;
                lastMaxMagnitude[operators[i]][strategies[j]] = current;
            }
        }
    }

    function _withdrawableOf(address staker, IStrategy strategy) internal view returns (uint256) {
        IStrategy[] memory list = new IStrategy[](1);
        list[0] = strategy;
        (uint256[] memory w, ) = dm.getWithdrawableShares(staker, list);
        return w[0];
    }

    function _diff(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }

    // ------------------------------------------------------------------ accessors for the invariant contract

    function operatorCount() external view returns (uint256) {
        return operators.length;
    }

    function stakerCount() external view returns (uint256) {
        return stakers.length;
    }

    function strategyCount() external view returns (uint256) {
        return strategies.length;
    }
}

/// @notice Handler-based invariants of allocation, delegation and slashing (issues 3 and 4).
contract RestakingInvariantsTest is RestakingTestBase {
    RestakingHandler internal handler;

    function setUp() public override {
        super.setUp();
        VcloudTestToken token2 = new VcloudTestToken("Second", "SND", address(this));
        IStrategy strategy2 = factory.deployNewStrategy(token2);
        IStrategy[] memory list = new IStrategy[](2);
        (list[0], list[1]) = (strategy, strategy2);
        _createSet(1, list, true);
        _createSet(2, list, false);

        address[] memory ops = new address[](3);
        for (uint256 i = 0; i < ops.length; ++i) {
            ops[i] = makeAddr(string.concat("operator", vm.toString(i)));
            _registerOperator(ops[i], uint32(i)); // allocation delays 0, 1, 2
        }
        address[] memory stakers = new address[](4);
        for (uint256 i = 0; i < stakers.length; ++i) {
            stakers[i] = makeAddr(string.concat("staker", vm.toString(i)));
        }
        handler = new RestakingHandler(am, dm, sm, avs, slasher, ops, stakers, list);
        // The handler mints test tokens and slashes as the sets' slasher.
        token.transferOwnership(address(handler));
        token2.transferOwnership(address(handler));
        targetContract(address(handler));
    }

    function _op(uint256 i) internal view returns (address) {
        return handler.operators(i);
    }

    function _strategy(uint256 j) internal view returns (IStrategy) {
        return handler.strategies(j);
    }

    /// @dev The handler really reaches slashes and clears (a fixed walk through its actions).
    function test_handlerWalkSlashesAndClears() public {
        handler.deposit(0, 0, 50e18);
        handler.delegate(0, 0);
        handler.modifyAllocation(0, 0, 0, 0.6e18);
        handler.register(0, 0);
        handler.modifyAllocation(0, 1, 0, 0.3e18);
        handler.register(0, 1);
        handler.queueWithdrawal(0, 0, 10e18);
        handler.roll(1);
        handler.slash(0, 0, 0, 0.5e18);
        handler.slash(0, 1, 0, 0.25e18);
        handler.roll(30);
        handler.clearSlash(0);
        handler.roll(30);
        handler.completeWithdrawal(0, true);
        assertEq(handler.slashCount(), 2);
        assertEq(handler.clearCount(), 1);
        assertFalse(handler.overSlashed());
        assertFalse(handler.uniqueStakeBroken());
        assertFalse(handler.withdrawableNotScaled());
        assertFalse(handler.clearOutflowMismatch());
        assertGt(strategy.underlyingToken().balanceOf(victims), 0);
    }

    /// @dev encumbered magnitude <= max magnitude.
    function invariant_encumberedNeverExceedsMaxMagnitude() public view {
        for (uint256 i = 0; i < handler.operatorCount(); ++i) {
            for (uint256 j = 0; j < handler.strategyCount(); ++j) {
                assertLe(am.getEncumberedMagnitude(_op(i), _strategy(j)), am.getMaxMagnitude(_op(i), _strategy(j)));
            }
        }
    }

    /// @dev encumbered = sum over sets of (current + positive pending).
    function invariant_encumberedEqualsCurrentPlusPositivePending() public view {
        for (uint256 i = 0; i < handler.operatorCount(); ++i) {
            for (uint256 j = 0; j < handler.strategyCount(); ++j) {
                uint256 sum;
                for (uint32 id = 1; id <= 2; ++id) {
                    IAllocationManagerTypes.Allocation memory a = am.getAllocation(_op(i), _set(id), _strategy(j));
                    sum += a.currentMagnitude;
                    if (a.pendingDiff > 0) sum += uint256(uint128(a.pendingDiff));
                }
                assertEq(am.getEncumberedMagnitude(_op(i), _strategy(j)), sum);
            }
        }
    }

    /// @dev Max magnitude never increases.
    function invariant_maxMagnitudeNeverIncreases() public view {
        assertFalse(handler.maxMagnitudeIncreased());
    }

    /// @dev Operator shares >= sum of its stakers' withdrawable shares.
    function invariant_operatorSharesCoverStakersWithdrawable() public view {
        for (uint256 i = 0; i < handler.operatorCount(); ++i) {
            for (uint256 j = 0; j < handler.strategyCount(); ++j) {
                uint256 sum;
                for (uint256 k = 0; k < handler.stakerCount(); ++k) {
                    address staker = handler.stakers(k);
                    if (dm.delegatedTo(staker) != _op(i)) continue;
                    (uint256[] memory w, ) = dm.getWithdrawableShares(staker, _strategies(_strategy(j)));
                    sum += w[0];
                }
                assertGe(dm.operatorShares(_op(i), _strategy(j)), sum);
            }
        }
    }

    /// @dev At most one pending modification per (operator, set, strategy): every pending deallocation is
    /// queued exactly once, and no set appears twice among the queue's still-pending entries.
    function invariant_atMostOnePendingModification() public view {
        for (uint256 i = 0; i < handler.operatorCount(); ++i) {
            for (uint256 j = 0; j < handler.strategyCount(); ++j) {
                OperatorSet[] memory queue = am.getDeallocationQueue(_op(i), _strategy(j));
                for (uint32 id = 1; id <= 2; ++id) {
                    IAllocationManagerTypes.Allocation memory a = am.getAllocation(_op(i), _set(id), _strategy(j));
                    uint256 pendingEntries;
                    for (uint256 q = 0; q < queue.length; ++q) {
                        if (queue[q].id == id && a.effectBlock != 0) ++pendingEntries;
                    }
                    if (a.effectBlock != 0 && a.pendingDiff < 0) assertEq(pendingEntries, 1);
                    else assertEq(pendingEntries, 0);
                }
            }
        }
    }

    /// @dev The deallocation queue is ordered by effect block.
    function invariant_deallocationQueueOrderedByEffectBlock() public view {
        for (uint256 i = 0; i < handler.operatorCount(); ++i) {
            for (uint256 j = 0; j < handler.strategyCount(); ++j) {
                OperatorSet[] memory queue = am.getDeallocationQueue(_op(i), _strategy(j));
                uint32 last;
                for (uint256 q = 0; q < queue.length; ++q) {
                    uint32 effect = am.getAllocation(_op(i), queue[q], _strategy(j)).effectBlock;
                    if (effect == 0) continue; // already due (completed lazily)
                    assertGe(effect, last);
                    last = effect;
                }
            }
        }
    }

    /// @dev No over-slashing: a slash never takes more than the allocated proportion (floor rounding).
    function invariant_noOverSlashing() public view {
        assertFalse(handler.overSlashed());
    }

    /// @dev Redistributed + burned tokens equal the strategy's outflow on every clear.
    function invariant_clearedTokensEqualStrategyOutflow() public view {
        assertFalse(handler.clearOutflowMismatch());
    }

    /// @dev Unique stake: a slash in one set never changes another set's slashable stake.
    function invariant_slashInOneSetNeverChangesAnother() public view {
        assertFalse(handler.uniqueStakeBroken());
    }

    /// @dev Stakers' withdrawable shares fall exactly by the operator's magnitude ratio.
    function invariant_withdrawableFallsByMagnitudeRatio() public view {
        assertFalse(handler.withdrawableNotScaled());
    }
}
