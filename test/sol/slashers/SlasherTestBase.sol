// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {AllocationManager} from "../../../contracts/core/AllocationManager.sol";
import {DelegationManager} from "../../../contracts/core/DelegationManager.sol";
import {StrategyManager} from "../../../contracts/core/StrategyManager.sol";
import {IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IDelegationManagerTypes} from "../../../contracts/interfaces/IDelegationManager.sol";
import {ISignatureUtilsMixin} from "../../../contracts/interfaces/ISignatureUtilsMixin.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {PauserRegistry} from "../../../contracts/permissions/PauserRegistry.sol";
import {StrategyFactory} from "../../../contracts/strategies/StrategyFactory.sol";

contract StakeToken is ERC20 {
    constructor() ERC20("Stake", "STK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @dev The real restaking core (as deploy/modules/Restaking.ts wires it) with short delays, and flow
/// helpers: an operator with delegated stake, allocated to a set of `avs` whose slasher is `slasherOf`.
abstract contract SlasherTestBase is Test {
    uint32 internal constant MIN_WITHDRAWAL_DELAY = 50;
    uint32 internal constant DEALLOCATION_DELAY = 50;
    uint32 internal constant ALLOCATION_CONFIG_DELAY = 75;
    uint32 internal constant SLASH_RESOLUTION_DELAY = 20;
    uint64 internal constant WAD = 1e18;

    address internal governance = makeAddr("governance");
    address internal avs = makeAddr("avs");
    address internal operator = makeAddr("operator");
    address internal staker = makeAddr("staker");

    PauserRegistry internal pauserRegistry;
    DelegationManager internal dm;
    AllocationManager internal am;
    StrategyManager internal sm;
    StrategyFactory internal factory;
    StakeToken internal token;
    IStrategy internal strategy;

    function setUp() public virtual {
        vm.roll(1000);
        address[] memory pausers = new address[](1);
        pausers[0] = governance;
        pauserRegistry = new PauserRegistry(pausers, governance);
        dm = new DelegationManager(pauserRegistry, governance, MIN_WITHDRAWAL_DELAY);
        am = new AllocationManager(dm, pauserRegistry, DEALLOCATION_DELAY, ALLOCATION_CONFIG_DELAY);
        sm = new StrategyManager(dm, pauserRegistry, governance, SLASH_RESOLUTION_DELAY);
        factory = new StrategyFactory(sm, pauserRegistry, governance);
        vm.startPrank(governance);
        dm.setCoreContracts(sm, am);
        sm.setStrategyWhitelister(address(factory));
        vm.stopPrank();
        token = new StakeToken();
        strategy = factory.deployNewStrategy(token);
    }

    function _strategies() internal view returns (IStrategy[] memory list) {
        list = new IStrategy[](1);
        list[0] = strategy;
    }

    function _deposit(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(sm), amount);
        sm.depositIntoStrategy(strategy, token, amount);
        vm.stopPrank();
    }

    /// @dev Operator registered (delay 0), `stake` delegated by `staker`, set `id` created with `slasher_`
    /// (redistributing to `recipient` unless zero), operator registered and `magnitude` allocated.
    function _operatorInSet(uint32 id, address slasher_, address recipient, uint256 stake, uint64 magnitude) internal {
        vm.prank(operator);
        dm.registerAsOperator(address(0), 0, "ipfs://operator");
        _deposit(staker, stake);
        ISignatureUtilsMixin.SignatureWithExpiry memory noSig;
        vm.prank(staker);
        dm.delegateTo(operator, noSig, bytes32(0));

        IAllocationManagerTypes.CreateSetParamsV2[] memory sets = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        sets[0] = IAllocationManagerTypes.CreateSetParamsV2({
            operatorSetId: id,
            strategies: _strategies(),
            slasher: slasher_
        });
        vm.startPrank(avs);
        am.updateAVSMetadataURI(avs, "ipfs://avs");
        if (recipient == address(0)) {
            am.createOperatorSets(avs, sets);
        } else {
            address[] memory recipients = new address[](1);
            recipients[0] = recipient;
            am.createRedistributingOperatorSets(avs, sets, recipients);
        }
        vm.stopPrank();

        uint32[] memory ids = new uint32[](1);
        ids[0] = id;
        vm.prank(operator);
        am.registerForOperatorSets(
            operator,
            IAllocationManagerTypes.RegisterParams({avs: avs, operatorSetIds: ids, data: ""})
        );
        IAllocationManagerTypes.AllocateParams[] memory alloc = new IAllocationManagerTypes.AllocateParams[](1);
        uint64[] memory mags = new uint64[](1);
        mags[0] = magnitude;
        alloc[0] = IAllocationManagerTypes.AllocateParams({
            operatorSet: OperatorSet(avs, id),
            strategies: _strategies(),
            newMagnitudes: mags
        });
        vm.prank(operator);
        am.modifyAllocations(operator, alloc);
        vm.roll(block.number + 1);
    }

    function _params(uint32 id, uint256 wad) internal view returns (IAllocationManagerTypes.SlashingParams memory) {
        uint256[] memory wads = new uint256[](1);
        wads[0] = wad;
        return
            IAllocationManagerTypes.SlashingParams({
                operator: operator,
                operatorSetId: id,
                strategies: _strategies(),
                wadsToSlash: wads,
                description: "fault"
            });
    }

    function _withdrawable(address who) internal view returns (uint256) {
        (uint256[] memory w, ) = dm.getWithdrawableShares(who, _strategies());
        return w[0];
    }

    function _queueAll(address who) internal returns (IDelegationManagerTypes.Withdrawal memory withdrawal) {
        IDelegationManagerTypes.QueuedWithdrawalParams[]
            memory params = new IDelegationManagerTypes.QueuedWithdrawalParams[](1);
        (, uint256[] memory deposits) = sm.getDeposits(who);
        params[0] = IDelegationManagerTypes.QueuedWithdrawalParams({
            strategies: _strategies(),
            depositShares: deposits,
            __deprecated_withdrawer: who
        });
        vm.prank(who);
        bytes32[] memory roots = dm.queueWithdrawals(params);
        withdrawal = dm.queuedWithdrawals(roots[0]);
    }

    function _completeAsTokens(address who, IDelegationManagerTypes.Withdrawal memory withdrawal) internal {
        IERC20[] memory tokens = new IERC20[](1);
        tokens[0] = token;
        vm.prank(who);
        dm.completeQueuedWithdrawal(withdrawal, tokens, true);
    }
}
