// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {AllocationManager} from "../../../contracts/core/AllocationManager.sol";
import {DelegationManager} from "../../../contracts/core/DelegationManager.sol";
import {StrategyManager} from "../../../contracts/core/StrategyManager.sol";
import {IAllocationManager, IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IDelegationManager, IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {ISignatureUtilsMixin} from "../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {IStrategyManager} from "../../../contracts/interfaces/IStrategyManager.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {PauserRegistry} from "../../../contracts/permissions/PauserRegistry.sol";
import {StrategyFactory} from "../../../contracts/strategies/StrategyFactory.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";

/// @dev Deploys the restaking core wired as in deploy/modules/Restaking.ts and offers flow helpers.
abstract contract RestakingTestBase is Test {
    uint32 internal constant MIN_WITHDRAWAL_DELAY = 50;
    uint32 internal constant DEALLOCATION_DELAY = 50;
    uint32 internal constant ALLOCATION_CONFIG_DELAY = 75;
    uint32 internal constant SLASH_RESOLUTION_DELAY = 20;
    uint64 internal constant WAD = 1e18;
    address internal constant BURN = 0x00000000000000000000000000000000000E16E4;

    address internal governance = makeAddr("governance");
    address internal pauser = makeAddr("pauser");
    address internal avs = makeAddr("avs");
    address internal slasher = makeAddr("slasher");
    address internal victims = makeAddr("victims");

    PauserRegistry internal pauserRegistry;
    DelegationManager internal dm;
    AllocationManager internal am;
    StrategyManager internal sm;
    StrategyFactory internal factory;
    VcloudTestToken internal token;
    IStrategy internal strategy;

    function setUp() public virtual {
        vm.roll(1000);
        address[] memory pausers = new address[](1);
        pausers[0] = pauser;
        pauserRegistry = new PauserRegistry(pausers, governance);
        dm = new DelegationManager(pauserRegistry, governance, MIN_WITHDRAWAL_DELAY);
        am = new AllocationManager(dm, pauserRegistry, DEALLOCATION_DELAY, ALLOCATION_CONFIG_DELAY);
        sm = new StrategyManager(dm, pauserRegistry, governance, SLASH_RESOLUTION_DELAY);
        factory = new StrategyFactory(sm, pauserRegistry, governance);
        vm.startPrank(governance);
        dm.setCoreContracts(sm, am);
        sm.setStrategyWhitelister(address(factory));
        vm.stopPrank();
        token = new VcloudTestToken("Test", "TST", address(this));
        strategy = factory.deployNewStrategy(token);
    }

    // ------------------------------------------------------------------ helpers

    function _deposit(address staker, IStrategy s, uint256 amount) internal returns (uint256 shares) {
        VcloudTestToken t = VcloudTestToken(address(s.underlyingToken()));
        t.mint(staker, amount);
        vm.startPrank(staker);
        t.approve(address(sm), amount);
        shares = sm.depositIntoStrategy(s, t, amount);
        vm.stopPrank();
    }

    function _registerOperator(address operator, uint32 allocationDelay) internal {
        vm.prank(operator);
        dm.registerAsOperator(address(0), allocationDelay, "ipfs://operator");
    }

    function _delegate(address staker, address operator) internal {
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(staker);
        dm.delegateTo(operator, noSig, bytes32(0));
    }

    function _strategies(IStrategy s) internal pure returns (IStrategy[] memory list) {
        list = new IStrategy[](1);
        list[0] = s;
    }

    function _set(uint32 id) internal view returns (OperatorSet memory) {
        return OperatorSet(avs, id);
    }

    function _createSet(uint32 id, IStrategy[] memory strategies, bool redistributing) internal {
        vm.startPrank(avs);
        am.updateAVSMetadataURI(avs, "ipfs://avs");
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0] = IAllocationManagerTypes.CreateSetParamsV2({
            operatorSetId: id,
            strategies: strategies,
            slasher: slasher
        });
        if (redistributing) {
            address[] memory recipients = new address[](1);
            recipients[0] = victims;
            am.createRedistributingOperatorSets(avs, params, recipients);
        } else {
            am.createOperatorSets(avs, params);
        }
        vm.stopPrank();
    }

    function _registerForSet(address operator, uint32 id) internal {
        uint32[] memory ids = new uint32[](1);
        ids[0] = id;
        vm.prank(operator);
        am.registerForOperatorSets(
            operator,
            IAllocationManagerTypes.RegisterParams({avs: avs, operatorSetIds: ids, data: ""})
        );
    }

    function _allocate(address operator, uint32 id, IStrategy s, uint64 magnitude) internal {
        IAllocationManagerTypes.AllocateParams[] memory params = new IAllocationManagerTypes.AllocateParams[](1);
        uint64[] memory mags = new uint64[](1);
        mags[0] = magnitude;
        params[0] = IAllocationManagerTypes.AllocateParams({
            operatorSet: _set(id),
            strategies: _strategies(s),
            newMagnitudes: mags
        });
        vm.prank(operator);
        am.modifyAllocations(operator, params);
    }

    function _slash(
        address operator,
        uint32 id,
        IStrategy s,
        uint256 wad
    ) internal returns (uint256 slashId, uint256 shares) {
        uint256[] memory wads = new uint256[](1);
        wads[0] = wad;
        vm.prank(slasher);
        uint256[] memory slashed;
        (slashId, slashed) = am.slashOperator(
            avs,
            IAllocationManagerTypes.SlashingParams({
                operator: operator,
                operatorSetId: id,
                strategies: _strategies(s),
                wadsToSlash: wads,
                description: "test"
            })
        );
        shares = slashed[0];
    }

    function _queue(
        address staker,
        IStrategy s,
        uint256 depositShares
    ) internal returns (IDelegationManagerTypes.Withdrawal memory withdrawal, bytes32 root) {
        IDelegationManagerTypes.QueuedWithdrawalParams[]
            memory params = new IDelegationManagerTypes.QueuedWithdrawalParams[](1);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = depositShares;
        params[0] = IDelegationManagerTypes.QueuedWithdrawalParams({
            strategies: _strategies(s),
            depositShares: amounts,
            __deprecated_withdrawer: address(0)
        });
        vm.prank(staker);
        bytes32[] memory roots = dm.queueWithdrawals(params);
        root = roots[0];
        withdrawal = dm.queuedWithdrawals(root);
    }

    function _complete(address staker, IDelegationManagerTypes.Withdrawal memory withdrawal, bool asTokens) internal {
        IERC20[] memory tokens = new IERC20[](withdrawal.strategies.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            tokens[i] = withdrawal.strategies[i].underlyingToken();
        }
        vm.prank(staker);
        dm.completeQueuedWithdrawal(withdrawal, tokens, asTokens);
    }

    function _withdrawable(address staker, IStrategy s) internal view returns (uint256) {
        (uint256[] memory w, ) = dm.getWithdrawableShares(staker, _strategies(s));
        return w[0];
    }

    function _operatorShares(address operator, IStrategy s) internal view returns (uint256) {
        return dm.operatorShares(operator, s);
    }

    /// @dev Operator registered with delay 0, `amount` of own stake, allocated `magnitude` to set `id`, registered.
    function _operatorInSet(address operator, uint256 amount, uint32 id, uint64 magnitude) internal {
        _registerOperator(operator, 0);
        if (amount > 0) _deposit(operator, strategy, amount);
        _allocate(operator, id, strategy, magnitude);
        _registerForSet(operator, id);
    }

    function _unused() internal pure returns (IAllocationManager, IDelegationManager, IStrategyManager) {}
}
