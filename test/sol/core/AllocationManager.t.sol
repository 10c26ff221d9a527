// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManagerErrors, IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IAVSRegistrar} from "../../../contracts/interfaces/IAVSRegistrar.sol";
import {IPausable} from "../../../contracts/interfaces/IPausable.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "./RestakingTestBase.sol";

/// @dev An AVS registrar that accepts operators on an allowlist and records the calls it gets.
contract AllowlistRegistrar is IAVSRegistrar {
    error NotAllowed(address operator);

    address public immutable avs;
    mapping(address operator => bool) public allowed;
    uint256 public registrations;
    uint256 public deregistrations;

    constructor(address avs_) {
        avs = avs_;
    }

    function allow(address operator) external {
        allowed[operator] = true;
    }

    function registerOperator(address operator, address, uint32[] calldata, bytes calldata) external {
        if (!allowed[operator]) revert NotAllowed(operator);
        ++registrations;
    }

    function deregisterOperator(address, address, uint32[] calldata) external {
        ++deregistrations;
    }

    function supportsAVS(address avs_) external view returns (bool) {
        return avs_ == avs;
    }
}

contract AllocationManagerTest is RestakingTestBase {
    address internal operator = makeAddr("operator");
    uint32 internal constant DELAY = 5;

    function setUp() public override {
        super.setUp();
        _registerOperator(operator, DELAY);
        _deposit(operator, strategy, 100e18);
        _createSet(1, _strategies(strategy), false);
    }

    function _params(
        uint32 id,
        IStrategy s,
        uint64 mag
    ) internal view returns (IAllocationManagerTypes.AllocateParams[] memory params) {
        params = new IAllocationManagerTypes.AllocateParams[](1);
        uint64[] memory mags = new uint64[](1);
        mags[0] = mag;
        params[0] = IAllocationManagerTypes.AllocateParams({
            operatorSet: _set(id),
            strategies: _strategies(s),
            newMagnitudes: mags
        });
    }

    function _expectModifyRevert(uint32 id, IStrategy s, uint64 mag, bytes memory err) internal {
        IAllocationManagerTypes.AllocateParams[] memory params = _params(id, s, mag);
        vm.prank(operator);
        vm.expectRevert(err);
        am.modifyAllocations(operator, params);
    }

    // ------------------------------------------------------------------ operator sets

    function test_createSetRequiresMetadataAndCaller() public {
        address otherAvs = makeAddr("otherAvs");
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0].slasher = slasher;
        vm.prank(otherAvs);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.NonexistentAVSMetadata.selector, otherAvs));
        am.createOperatorSets(otherAvs, params);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.createOperatorSets(otherAvs, params);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.updateAVSMetadataURI(otherAvs, "x");
    }

    function test_createSetTwiceReverts() public {
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0] = IAllocationManagerTypes.CreateSetParamsV2({
            operatorSetId: 1,
            strategies: new IStrategy[](0),
            slasher: slasher
        });
        vm.prank(avs);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.OperatorSetAlreadyExists.selector, avs, uint32(1))
        );
        am.createOperatorSets(avs, params);
        assertEq(am.getOperatorSetCount(avs), 1);
        assertTrue(am.isOperatorSet(_set(1)));
    }

    function test_createSetWithoutSlasherReverts() public {
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0].operatorSetId = 9;
        vm.prank(avs);
        vm.expectRevert(IAllocationManagerErrors.SlasherNotSet.selector);
        am.createOperatorSets(avs, params);
    }

    function test_redistributingSetRecipientRules() public {
        IAllocationManagerTypes.CreateSetParamsV2[] memory params = new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0] = IAllocationManagerTypes.CreateSetParamsV2({
            operatorSetId: 5,
            strategies: new IStrategy[](0),
            slasher: slasher
        });
        address[] memory recipients = new address[](1);
        vm.startPrank(avs);
        vm.expectRevert(IPausable.InputAddressZero.selector);
        am.createRedistributingOperatorSets(avs, params, recipients);
        recipients[0] = BURN;
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidRedistributionRecipient.selector, BURN));
        am.createRedistributingOperatorSets(avs, params, recipients);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InputArrayLengthMismatch.selector, 1, 0));
        am.createRedistributingOperatorSets(avs, params, new address[](0));
        recipients[0] = victims;
        am.createRedistributingOperatorSets(avs, params, recipients);
        vm.stopPrank();
        assertEq(am.getRedistributionRecipient(_set(5)), victims);
        assertTrue(am.isRedistributingOperatorSet(_set(5)));
        assertEq(am.getRedistributionRecipient(_set(1)), BURN);
        assertFalse(am.isRedistributingOperatorSet(_set(1)));
    }

    function test_strategiesInSet() public {
        VcloudTestToken other = new VcloudTestToken("O", "O", address(this));
        IStrategy s2 = factory.deployNewStrategy(other);
        vm.startPrank(avs);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.StrategyAlreadyInOperatorSet.selector, strategy)
        );
        am.addStrategiesToOperatorSet(avs, 1, _strategies(strategy));
        am.addStrategiesToOperatorSet(avs, 1, _strategies(s2));
        assertEq(am.getStrategiesInOperatorSet(_set(1)).length, 2);
        am.removeStrategiesFromOperatorSet(avs, 1, _strategies(s2));
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.StrategyNotInOperatorSet.selector, s2));
        am.removeStrategiesFromOperatorSet(avs, 1, _strategies(s2));
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperatorSet.selector, avs, uint32(77)));
        am.addStrategiesToOperatorSet(avs, 77, _strategies(s2));
        vm.stopPrank();
    }

    function test_eigenStrategyCannotJoinRedistributingSet() public {
        vm.expectRevert(abi.encodeWithSelector(IPausable.OnlyUnpauser.selector, address(this)));
        am.setEigenStrategy(strategy);
        vm.startPrank(governance);
        vm.expectRevert(IPausable.InputAddressZero.selector);
        am.setEigenStrategy(IStrategy(address(0)));
        am.setEigenStrategy(strategy);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.EigenStrategyAlreadySet.selector, strategy));
        am.setEigenStrategy(strategy);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidStrategy.selector, strategy));
        this.createRedistributing(7);
        _createSet(8, _strategies(strategy), false); // burning sets may use it
    }

    function createRedistributing(uint32 id) external {
        _createSet(id, _strategies(strategy), true);
    }

    function test_slasherChangeIsDelayed() public {
        address newSlasher = makeAddr("newSlasher");
        vm.prank(avs);
        am.updateSlasher(_set(1), newSlasher);
        (address pending, uint32 effectBlock) = am.getPendingSlasher(_set(1));
        assertEq(pending, newSlasher);
        assertEq(effectBlock, block.number + ALLOCATION_CONFIG_DELAY + 1);
        assertEq(am.getSlasher(_set(1)), slasher);
        // Re-proposing the same pending slasher does not restart the delay.
        vm.roll(block.number + 10);
        vm.prank(avs);
        am.updateSlasher(_set(1), newSlasher);
        (, uint32 effectBlock2) = am.getPendingSlasher(_set(1));
        assertEq(effectBlock2, effectBlock);
        vm.roll(effectBlock);
        assertEq(am.getSlasher(_set(1)), newSlasher);
        vm.prank(avs);
        vm.expectRevert(IAllocationManagerErrors.SlasherNotSet.selector);
        am.updateSlasher(_set(1), address(0));
    }

    // ------------------------------------------------------------------ registration

    function test_registrationAndSlashableWindow() public {
        _registerForSet(operator, 1);
        assertTrue(am.isMemberOfOperatorSet(operator, _set(1)));
        assertEq(am.getMemberCount(_set(1)), 1);
        assertEq(am.getMembers(_set(1))[0], operator);
        assertEq(am.getRegisteredSets(operator).length, 1);
        uint32[] memory ids = new uint32[](1);
        ids[0] = 1;
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.AlreadyMemberOfSet.selector, operator, avs, uint32(1))
        );
        am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, ""));

        // The AVS may deregister; the operator stays slashable for DEALLOCATION_DELAY blocks.
        vm.prank(avs);
        am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids));
        assertFalse(am.isMemberOfOperatorSet(operator, _set(1)));
        vm.roll(block.number + DEALLOCATION_DELAY);
        assertTrue(am.isOperatorSlashable(operator, _set(1)));
        // Still slashable: cannot re-register yet.
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.AlreadyMemberOfSet.selector, operator, avs, uint32(1))
        );
        am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, ""));
        vm.roll(block.number + 1);
        assertFalse(am.isOperatorSlashable(operator, _set(1)));

        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.NotMemberOfSet.selector, operator, avs, uint32(1))
        );
        am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids));
    }

    function test_registrationRules() public {
        uint32[] memory ids = new uint32[](1);
        ids[0] = 1;
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperator.selector, stranger));
        am.registerForOperatorSets(stranger, IAllocationManagerTypes.RegisterParams(avs, ids, ""));
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, ""));
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids));
        ids[0] = 42;
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperatorSet.selector, avs, uint32(42)));
        am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, ""));
    }

    function test_registrarCanRefuseOperators() public {
        AllowlistRegistrar registrar = new AllowlistRegistrar(avs);
        vm.prank(avs);
        am.setAVSRegistrar(avs, registrar);
        assertEq(address(am.getAVSRegistrar(avs)), address(registrar));
        uint32[] memory ids = new uint32[](1);
        ids[0] = 1;
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(AllowlistRegistrar.NotAllowed.selector, operator));
        am.registerForOperatorSets(operator, IAllocationManagerTypes.RegisterParams(avs, ids, ""));
        registrar.allow(operator);
        _registerForSet(operator, 1);
        assertEq(registrar.registrations(), 1);
        vm.prank(operator);
        am.deregisterFromOperatorSets(IAllocationManagerTypes.DeregisterParams(operator, avs, ids));
        assertEq(registrar.deregistrations(), 1);
    }

    function test_registrarMustSupportAVS() public {
        AllowlistRegistrar wrong = new AllowlistRegistrar(makeAddr("someoneElse"));
        vm.prank(avs);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidAVSRegistrar.selector, avs, wrong));
        am.setAVSRegistrar(avs, wrong);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.setAVSRegistrar(avs, wrong);
    }

    // ------------------------------------------------------------------ allocation delay

    function test_allocationDelayChangeWaitsConfigurationDelay() public {
        vm.prank(operator);
        am.setAllocationDelay(operator, 9);
        (, uint32 delay) = am.getAllocationDelay(operator);
        assertEq(delay, DELAY);
        vm.roll(block.number + ALLOCATION_CONFIG_DELAY + 1);
        (, delay) = am.getAllocationDelay(operator);
        assertEq(delay, 9);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.setAllocationDelay(operator, 1);
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperator.selector, stranger));
        am.setAllocationDelay(stranger, 1);
    }

    // ------------------------------------------------------------------ allocations

    function test_allocationTakesEffectAfterDelay() public {
        _allocate(operator, 1, strategy, 0.5e18);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0.5e18);
        assertEq(am.getAllocatableMagnitude(operator, strategy), 0.5e18);
        IAllocationManagerTypes.Allocation memory a = am.getAllocation(operator, _set(1), strategy);
        assertEq(a.currentMagnitude, 0);
        assertEq(a.pendingDiff, 0.5e18);
        assertEq(a.effectBlock, block.number + DELAY);
        vm.roll(block.number + DELAY);
        a = am.getAllocation(operator, _set(1), strategy);
        assertEq(a.currentMagnitude, 0.5e18);
        assertEq(a.effectBlock, 0);
        assertEq(am.getAllocatedSets(operator).length, 1);
        assertEq(address(am.getAllocatedStrategies(operator, _set(1))[0]), address(strategy));
    }

    function test_slashableDeallocationWaitsAndStaysSlashable() public {
        _allocate(operator, 1, strategy, 0.5e18);
        _registerForSet(operator, 1);
        vm.roll(block.number + DELAY);
        _allocate(operator, 1, strategy, 0.2e18);
        uint32 effect = uint32(block.number) + DEALLOCATION_DELAY + 1;
        assertEq(am.getAllocation(operator, _set(1), strategy).effectBlock, effect);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0.5e18, "still encumbered while slashable");
        uint256[][] memory later = am.getMinimumSlashableStake(_set(1), _one(operator), _strategies(strategy), effect);
        assertEq(later[0][0], 20e18, "only 20% is guaranteed slashable at the effect block");
        vm.roll(effect - 1);
        assertEq(am.getAllocation(operator, _set(1), strategy).currentMagnitude, 0.5e18);
        vm.roll(effect);
        assertEq(am.getAllocation(operator, _set(1), strategy).currentMagnitude, 0.2e18);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0.2e18);
        IStrategy[] memory list = _strategies(strategy);
        uint16[] memory counts = new uint16[](1);
        counts[0] = 1;
        am.clearDeallocationQueue(operator, list, counts);
        assertEq(am.encumberedMagnitude(operator, strategy), 0.2e18);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InputArrayLengthMismatch.selector, 1, 0));
        am.clearDeallocationQueue(operator, list, new uint16[](0));
    }

    function test_unslashableDeallocationIsInstant() public {
        _allocate(operator, 1, strategy, 0.5e18); // not registered: not slashable
        vm.roll(block.number + DELAY);
        _allocate(operator, 1, strategy, 0);
        assertEq(am.getAllocation(operator, _set(1), strategy).currentMagnitude, 0);
        assertEq(am.getEncumberedMagnitude(operator, strategy), 0);
        assertEq(am.getAllocatedSets(operator).length, 0);
    }

    function test_modifyAllocationsRevertPaths() public {
        _expectModifyRevert(
            1,
            strategy,
            2e18,
            abi.encodeWithSelector(IAllocationManagerErrors.MagnitudeExceedsWad.selector, uint64(2e18))
        );
        _expectModifyRevert(
            1,
            strategy,
            0,
            abi.encodeWithSelector(IAllocationManagerErrors.SameMagnitude.selector, uint64(0))
        );
        _expectModifyRevert(
            99,
            strategy,
            1,
            abi.encodeWithSelector(IAllocationManagerErrors.InvalidOperatorSet.selector, avs, uint32(99))
        );
        _allocate(operator, 1, strategy, 0.5e18);
        _expectModifyRevert(
            1,
            strategy,
            0.6e18,
            abi.encodeWithSelector(
                IAllocationManagerErrors.ModificationAlreadyPending.selector,
                operator,
                strategy,
                uint32(block.number + DELAY)
            )
        );
        _createSet(2, _strategies(strategy), false);
        _expectModifyRevert(
            2,
            strategy,
            0.6e18,
            abi.encodeWithSelector(IAllocationManagerErrors.InsufficientMagnitude.selector, uint64(1.1e18), WAD)
        );

        IAllocationManagerTypes.AllocateParams[] memory params = _params(1, strategy, 1);
        params[0].newMagnitudes = new uint64[](0);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InputArrayLengthMismatch.selector, 1, 0));
        am.modifyAllocations(operator, params);

        params = _params(1, strategy, 1);
        vm.expectRevert(abi.encodeWithSelector(IAllocationManagerErrors.InvalidCaller.selector, address(this)));
        am.modifyAllocations(operator, params);

        address notOperator = makeAddr("notOperator");
        vm.prank(notOperator);
        vm.expectRevert(
            abi.encodeWithSelector(IAllocationManagerErrors.UninitializedAllocationDelay.selector, notOperator)
        );
        am.modifyAllocations(notOperator, params);
    }

    function test_pausedAllocationsRevert() public {
        vm.prank(pauser);
        am.pause(1 << 0);
        _expectModifyRevert(1, strategy, 1, abi.encodeWithSelector(IPausable.CurrentlyPaused.selector, uint8(0)));
    }

    function test_maxMagnitudesViews() public view {
        assertEq(am.getMaxMagnitude(operator, strategy), WAD);
        assertEq(am.getMaxMagnitudes(operator, _strategies(strategy))[0], WAD);
        assertEq(am.getMaxMagnitudes(_one(operator), strategy)[0], WAD);
        assertEq(am.getMaxMagnitudesAtBlock(operator, _strategies(strategy), 1)[0], WAD);
        assertEq(address(am.delegation()), address(dm));
        assertEq(am.DEALLOCATION_DELAY(), DEALLOCATION_DELAY);
        assertEq(am.ALLOCATION_CONFIGURATION_DELAY(), ALLOCATION_CONFIG_DELAY);
        assertEq(am.SLASHER_CONFIGURATION_DELAY(), ALLOCATION_CONFIG_DELAY);
        assertEq(am.DEFAULT_BURN_ADDRESS(), BURN);
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
