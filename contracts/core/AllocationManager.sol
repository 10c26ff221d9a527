// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {DoubleEndedQueue} from "@openzeppelin/contracts/utils/structs/DoubleEndedQueue.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {OperatorSet, OperatorSetLib} from "../libraries/OperatorSetLib.sol";
import {SlashingLib, WAD} from "../libraries/SlashingLib.sol";
import {Pausable} from "../permissions/Pausable.sol";
import {AllocationManagerStorage} from "./AllocationManagerStorage.sol";

/// @title AllocationManager
/// @notice Operator sets, magnitude allocations and slashing. Each operator holds, per strategy, a max
/// magnitude (WAD until slashed, only ever falls) and allocates parts of it to operator sets; allocations
/// never exceed the max, so a unit of stake is slashable by at most one set (unique stake). Increases wait
/// the operator's allocation delay; decreases of slashable allocations wait `DEALLOCATION_DELAY` blocks and
/// stay slashable meanwhile. A set's slasher cuts a fraction of the allocation: the magnitude (rounded up)
/// leaves the allocation and the max magnitude, and the DelegationManager takes the matching shares.
/// @dev Governance is the pauser registry's unpauser (it names the EIGEN strategy); there is no owner.
/// No reentrancy guard: the only untrusted call (the AVS registrar) comes after all state changes, and the
/// slash path only calls the DelegationManager and StrategyManager, which make no untrusted calls.
contract AllocationManager is AllocationManagerStorage, Pausable {
    using SlashingLib for uint256;
    using SafeCast for uint256;
    using Checkpoints for Checkpoints.Trace224;
    using DoubleEndedQueue for DoubleEndedQueue.Bytes32Deque;
    using EnumerableSet for EnumerableSet.AddressSet;
    using EnumerableSet for EnumerableSet.Bytes32Set;
    using EnumerableSet for EnumerableSet.UintSet;

    /// @notice Pause flag index for `modifyAllocations` and `clearDeallocationQueue`.
    uint8 public constant PAUSED_MODIFY_ALLOCATIONS = 0;
    /// @notice Pause flag index for `slashOperator`.
    uint8 public constant PAUSED_OPERATOR_SLASHING = 1;
    /// @notice Pause flag index for registration and deregistration.
    uint8 public constant PAUSED_OPERATOR_SET_REGISTRATION_AND_DEREGISTRATION = 2;

    /// @param delegation_ The DelegationManager.
    /// @param pauserRegistry_ The shared pauser registry.
    /// @param deallocationDelay Blocks a slashable deallocation or deregistration stays slashable.
    /// @param allocationConfigurationDelay Blocks before a changed allocation delay or slasher applies.
    constructor(
        IDelegationManager delegation_,
        IPauserRegistry pauserRegistry_,
        uint32 deallocationDelay,
        uint32 allocationConfigurationDelay
    )
        AllocationManagerStorage(delegation_, deallocationDelay, allocationConfigurationDelay)
        Pausable(pauserRegistry_)
    {}

    // ---------------------------------------------------------------- slashing

    /// @inheritdoc IAllocationManager
    function slashOperator(
        address avs,
        SlashingParams calldata params
    ) external onlyWhenNotPaused(PAUSED_OPERATOR_SLASHING) returns (uint256 slashId, uint256[] memory shares) {
        OperatorSet memory operatorSet = OperatorSet(avs, params.operatorSetId);
        if (params.strategies.length != params.wadsToSlash.length) {
            revert InputArrayLengthMismatch(params.strategies.length, params.wadsToSlash.length);
        }
        _checkOperatorSetExists(operatorSet);
        if (!isOperatorSlashable(params.operator, operatorSet)) {
            revert OperatorNotSlashable(params.operator, avs, params.operatorSetId);
        }
        if (msg.sender != getSlasher(operatorSet)) revert InvalidCaller(msg.sender);

        bytes32 setKey = operatorSet.key();
        slashId = ++_slashIds[setKey];
        shares = new uint256[](params.strategies.length);
        uint256[] memory wadSlashed = new uint256[](params.strategies.length);
        for (uint256 i = 0; i < params.strategies.length; ++i) {
            IStrategy strategy = params.strategies[i];
            if (i > 0 && uint160(address(strategy)) <= uint160(address(params.strategies[i - 1]))) {
                revert StrategiesMustBeInAscendingOrder(params.strategies[i - 1], strategy);
            }
            if (params.wadsToSlash[i] == 0 || params.wadsToSlash[i] > WAD) {
                revert InvalidWadToSlash(params.wadsToSlash[i]);
            }
            if (!_operatorSetStrategies[setKey].contains(address(strategy))) revert StrategyNotInOperatorSet(strategy);
            (wadSlashed[i], shares[i]) = _slashStrategy(
                params.operator,
                operatorSet,
                slashId,
                strategy,
                params.wadsToSlash[i]
            );
        }
        emit OperatorSlashed(params.operator, operatorSet, params.strategies, wadSlashed, params.description);
    }

    // ---------------------------------------------------------------- allocations

    /// @inheritdoc IAllocationManager
    function modifyAllocations(
        address operator,
        AllocateParams[] calldata params
    ) external onlyWhenNotPaused(PAUSED_MODIFY_ALLOCATIONS) {
        if (msg.sender != operator) revert InvalidCaller(msg.sender);
        (bool isSet, uint32 allocationDelay) = getAllocationDelay(operator);
        if (!isSet) revert UninitializedAllocationDelay(operator);
        for (uint256 i = 0; i < params.length; ++i) {
            if (params[i].strategies.length != params[i].newMagnitudes.length) {
                revert InputArrayLengthMismatch(params[i].strategies.length, params[i].newMagnitudes.length);
            }
            OperatorSet calldata operatorSet = params[i].operatorSet;
            _checkOperatorSetExists(operatorSet);
            bool operatorSlashable = isOperatorSlashable(operator, operatorSet);
            for (uint256 j = 0; j < params[i].strategies.length; ++j) {
                _modifyAllocation(
                    operator,
                    operatorSet,
                    params[i].strategies[j],
                    params[i].newMagnitudes[j],
                    operatorSlashable,
                    allocationDelay
                );
            }
        }
    }

    /// @inheritdoc IAllocationManager
    function clearDeallocationQueue(
        address operator,
        IStrategy[] calldata strategies,
        uint16[] calldata numToClear
    ) external onlyWhenNotPaused(PAUSED_MODIFY_ALLOCATIONS) {
        if (strategies.length != numToClear.length)
            revert InputArrayLengthMismatch(strategies.length, numToClear.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            _clearDeallocationQueue(operator, strategies[i], numToClear[i]);
        }
    }

    /// @inheritdoc IAllocationManager
    function setAllocationDelay(address operator, uint32 delay) external {
        bool newlyRegistered = msg.sender == address(delegation);
        if (!newlyRegistered) {
            if (msg.sender != operator) revert InvalidCaller(msg.sender);
            if (!delegation.isOperator(operator)) revert InvalidOperator(operator);
        }
        AllocationDelayInfo memory info = _allocationDelayInfo[operator];
        if (info.effectBlock != 0 && block.number >= info.effectBlock) {
            info.delay = info.pendingDelay;
            info.isSet = true;
        }
        info.pendingDelay = delay;
        if (newlyRegistered) {
            info.delay = delay;
            info.isSet = true;
            info.effectBlock = uint32(block.number);
        } else {
            info.effectBlock = uint32(block.number) + ALLOCATION_CONFIGURATION_DELAY + 1;
        }
        _allocationDelayInfo[operator] = info;
        emit AllocationDelaySet(operator, delay, info.effectBlock);
    }

    // ---------------------------------------------------------------- registration

    /// @inheritdoc IAllocationManager
    function registerForOperatorSets(
        address operator,
        RegisterParams calldata params
    ) external onlyWhenNotPaused(PAUSED_OPERATOR_SET_REGISTRATION_AND_DEREGISTRATION) {
        if (msg.sender != operator) revert InvalidCaller(msg.sender);
        if (!delegation.isOperator(operator)) revert InvalidOperator(operator);
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            OperatorSet memory operatorSet = OperatorSet(params.avs, params.operatorSetIds[i]);
            _checkOperatorSetExists(operatorSet);
            if (isOperatorSlashable(operator, operatorSet)) {
                revert AlreadyMemberOfSet(operator, params.avs, params.operatorSetIds[i]);
            }
            bytes32 setKey = operatorSet.key();
            registeredSets[operator].add(setKey);
            _operatorSetMembers[setKey].add(operator);
            registrationStatus[operator][setKey].registered = true;
            emit OperatorAddedToOperatorSet(operator, operatorSet);
        }
        IAVSRegistrar registrar = getAVSRegistrar(params.avs);
        if (address(registrar).code.length > 0) {
            registrar.registerOperator(operator, params.avs, params.operatorSetIds, params.data);
        }
    }

    /// @inheritdoc IAllocationManager
    function deregisterFromOperatorSets(
        DeregisterParams calldata params
    ) external onlyWhenNotPaused(PAUSED_OPERATOR_SET_REGISTRATION_AND_DEREGISTRATION) {
        if (msg.sender != params.operator && msg.sender != params.avs) revert InvalidCaller(msg.sender);
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            OperatorSet memory operatorSet = OperatorSet(params.avs, params.operatorSetIds[i]);
            _checkOperatorSetExists(operatorSet);
            bytes32 setKey = operatorSet.key();
            if (!registrationStatus[params.operator][setKey].registered) {
                revert NotMemberOfSet(params.operator, params.avs, params.operatorSetIds[i]);
            }
            registeredSets[params.operator].remove(setKey);
            _operatorSetMembers[setKey].remove(params.operator);
            registrationStatus[params.operator][setKey] = RegistrationStatus({
                registered: false,
                slashableUntil: uint32(block.number) + DEALLOCATION_DELAY
            });
            emit OperatorRemovedFromOperatorSet(params.operator, operatorSet);
        }
        IAVSRegistrar registrar = getAVSRegistrar(params.avs);
        if (address(registrar).code.length > 0) {
            registrar.deregisterOperator(params.operator, params.avs, params.operatorSetIds);
        }
    }

    // ---------------------------------------------------------------- AVS configuration

    /// @inheritdoc IAllocationManager
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external {
        _checkAVSCaller(avs);
        if (address(registrar).code.length == 0 || !registrar.supportsAVS(avs)) {
            revert InvalidAVSRegistrar(avs, registrar);
        }
        _avsRegistrar[avs] = registrar;
        emit AVSRegistrarSet(avs, registrar);
    }

    /// @inheritdoc IAllocationManager
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external {
        _checkAVSCaller(avs);
        _avsRegisteredMetadata[avs] = true;
        emit AVSMetadataURIUpdated(avs, metadataURI);
    }

    /// @inheritdoc IAllocationManager
    function createOperatorSets(address avs, CreateSetParamsV2[] calldata params) external {
        _checkAVSCaller(avs);
        if (!_avsRegisteredMetadata[avs]) revert NonexistentAVSMetadata(avs);
        for (uint256 i = 0; i < params.length; ++i) {
            _createOperatorSet(avs, params[i], DEFAULT_BURN_ADDRESS);
        }
    }

    /// @inheritdoc IAllocationManager
    function createRedistributingOperatorSets(
        address avs,
        CreateSetParamsV2[] calldata params,
        address[] calldata redistributionRecipients
    ) external {
        _checkAVSCaller(avs);
        if (params.length != redistributionRecipients.length) {
            revert InputArrayLengthMismatch(params.length, redistributionRecipients.length);
        }
        if (!_avsRegisteredMetadata[avs]) revert NonexistentAVSMetadata(avs);
        for (uint256 i = 0; i < params.length; ++i) {
            address recipient = redistributionRecipients[i];
            if (recipient == address(0)) revert InputAddressZero();
            if (recipient == DEFAULT_BURN_ADDRESS) revert InvalidRedistributionRecipient(recipient);
            _createOperatorSet(avs, params[i], recipient);
        }
    }

    /// @inheritdoc IAllocationManager
    function addStrategiesToOperatorSet(address avs, uint32 operatorSetId, IStrategy[] calldata strategies) external {
        _checkAVSCaller(avs);
        OperatorSet memory operatorSet = OperatorSet(avs, operatorSetId);
        _checkOperatorSetExists(operatorSet);
        bool redistributing = isRedistributingOperatorSet(operatorSet);
        for (uint256 i = 0; i < strategies.length; ++i) {
            _addStrategyToOperatorSet(operatorSet, strategies[i], redistributing);
        }
    }

    /// @inheritdoc IAllocationManager
    function removeStrategiesFromOperatorSet(
        address avs,
        uint32 operatorSetId,
        IStrategy[] calldata strategies
    ) external {
        _checkAVSCaller(avs);
        OperatorSet memory operatorSet = OperatorSet(avs, operatorSetId);
        _checkOperatorSetExists(operatorSet);
        bytes32 setKey = operatorSet.key();
        for (uint256 i = 0; i < strategies.length; ++i) {
            if (!_operatorSetStrategies[setKey].remove(address(strategies[i]))) {
                revert StrategyNotInOperatorSet(strategies[i]);
            }
            emit StrategyRemovedFromOperatorSet(operatorSet, strategies[i]);
        }
    }

    /// @inheritdoc IAllocationManager
    function updateSlasher(OperatorSet memory operatorSet, address slasher) external {
        _checkAVSCaller(operatorSet.avs);
        _checkOperatorSetExists(operatorSet);
        _updateSlasher(operatorSet, slasher, false);
    }

    /// @inheritdoc IAllocationManager
    function setEigenStrategy(IStrategy eigenStrategy_) external onlyUnpauser {
        if (address(eigenStrategy) != address(0)) revert EigenStrategyAlreadySet(eigenStrategy);
        if (address(eigenStrategy_) == address(0)) revert InputAddressZero();
        eigenStrategy = eigenStrategy_;
        emit EigenStrategySet(eigenStrategy_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAllocationManager
    function getOperatorSetCount(address avs) external view returns (uint256) {
        return _operatorSets[avs].length();
    }

    /// @inheritdoc IAllocationManager
    function getAllocatedSets(address operator) external view returns (OperatorSet[] memory) {
        return _decodeSets(allocatedSets[operator].values());
    }

    /// @inheritdoc IAllocationManager
    function getAllocatedStrategies(
        address operator,
        OperatorSet memory operatorSet
    ) external view returns (IStrategy[] memory) {
        return _toStrategies(allocatedStrategies[operator][operatorSet.key()].values());
    }

    /// @inheritdoc IAllocationManager
    function getAllocation(
        address operator,
        OperatorSet memory operatorSet,
        IStrategy strategy
    ) public view returns (Allocation memory allocation) {
        (, allocation) = _getUpdatedAllocation(operator, operatorSet.key(), strategy);
    }

    /// @inheritdoc IAllocationManager
    function getEncumberedMagnitude(address operator, IStrategy strategy) public view returns (uint64 encumbered) {
        encumbered = encumberedMagnitude[operator][strategy];
        // Deallocations that are due but not yet cleared free their magnitude.
        DoubleEndedQueue.Bytes32Deque storage queue = deallocationQueue[operator][strategy];
        uint256 length = queue.length();
        for (uint256 i = 0; i < length; ++i) {
            Allocation memory allocation = allocations[operator][queue.at(i)][strategy];
            if (block.number < allocation.effectBlock) break;
            if (allocation.pendingDiff < 0) encumbered = _addInt128(encumbered, allocation.pendingDiff);
        }
    }

    /// @inheritdoc IAllocationManager
    function getDeallocationQueue(
        address operator,
        IStrategy strategy
    ) external view returns (OperatorSet[] memory sets) {
        DoubleEndedQueue.Bytes32Deque storage queue = deallocationQueue[operator][strategy];
        sets = new OperatorSet[](queue.length());
        for (uint256 i = 0; i < sets.length; ++i) {
            sets[i] = OperatorSetLib.decode(queue.at(i));
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocatableMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _maxMagnitude(operator, strategy) - getEncumberedMagnitude(operator, strategy);
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitude(address operator, IStrategy strategy) public view returns (uint64) {
        return _maxMagnitude(operator, strategy);
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitudes(
        address operator,
        IStrategy[] calldata strategies
    ) external view returns (uint64[] memory mags) {
        mags = new uint64[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            mags[i] = _maxMagnitude(operator, strategies[i]);
        }
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitudes(
        address[] calldata operators,
        IStrategy strategy
    ) external view returns (uint64[] memory mags) {
        mags = new uint64[](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            mags[i] = _maxMagnitude(operators[i], strategy);
        }
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitudesAtBlock(
        address operator,
        IStrategy[] calldata strategies,
        uint32 blockNumber
    ) external view returns (uint64[] memory mags) {
        mags = new uint64[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            Checkpoints.Trace224 storage history = _maxMagnitudeHistory[operator][strategies[i]];
            if (history.length() == 0 || blockNumber < history.at(0)._key) {
                mags[i] = WAD;
            } else {
                mags[i] = uint64(history.upperLookup(blockNumber));
            }
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocationDelay(address operator) public view returns (bool isSet, uint32 delay) {
        AllocationDelayInfo memory info = _allocationDelayInfo[operator];
        (isSet, delay) = (info.isSet, info.delay);
        if (info.effectBlock != 0 && block.number >= info.effectBlock) {
            (isSet, delay) = (true, info.pendingDelay);
        }
    }

    /// @inheritdoc IAllocationManager
    function getRegisteredSets(address operator) external view returns (OperatorSet[] memory) {
        return _decodeSets(registeredSets[operator].values());
    }

    /// @inheritdoc IAllocationManager
    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet) external view returns (bool) {
        return _operatorSetMembers[operatorSet.key()].contains(operator);
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSet(OperatorSet memory operatorSet) public view returns (bool) {
        return _operatorSets[operatorSet.avs].contains(operatorSet.id);
    }

    /// @inheritdoc IAllocationManager
    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory) {
        return _operatorSetMembers[operatorSet.key()].values();
    }

    /// @inheritdoc IAllocationManager
    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _operatorSetMembers[operatorSet.key()].length();
    }

    /// @inheritdoc IAllocationManager
    function getAVSRegistrar(address avs) public view returns (IAVSRegistrar) {
        IAVSRegistrar registrar = _avsRegistrar[avs];
        return address(registrar) == address(0) ? IAVSRegistrar(avs) : registrar;
    }

    /// @inheritdoc IAllocationManager
    function getStrategiesInOperatorSet(OperatorSet memory operatorSet) external view returns (IStrategy[] memory) {
        return _toStrategies(_operatorSetStrategies[operatorSet.key()].values());
    }

    /// @inheritdoc IAllocationManager
    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory slashableStake) {
        slashableStake = new uint256[][](operators.length);
        bytes32 setKey = operatorSet.key();
        for (uint256 i = 0; i < operators.length; ++i) {
            slashableStake[i] = new uint256[](strategies.length);
            if (!isOperatorSlashable(operators[i], operatorSet)) continue;
            uint256[] memory shares = delegation.getOperatorShares(operators[i], strategies);
            for (uint256 j = 0; j < strategies.length; ++j) {
                // Audit fix EGSL-07: a strategy removed from the set is not slashable by it.
                if (!_operatorSetStrategies[setKey].contains(address(strategies[j]))) continue;
                (, Allocation memory allocation) = _getUpdatedAllocation(operators[i], setKey, strategies[j]);
                uint64 magnitude = allocation.currentMagnitude;
                // Deallocations due by `futureBlock` no longer count; pending increases never do.
                if (allocation.pendingDiff < 0 && allocation.effectBlock <= futureBlock) {
                    magnitude = _addInt128(magnitude, allocation.pendingDiff);
                }
                slashableStake[i][j] = _stakeOf(shares[j], magnitude, _maxMagnitude(operators[i], strategies[j]));
            }
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocatedStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory slashableStake) {
        slashableStake = new uint256[][](operators.length);
        bytes32 setKey = operatorSet.key();
        for (uint256 i = 0; i < operators.length; ++i) {
            slashableStake[i] = new uint256[](strategies.length);
            uint256[] memory shares = delegation.getOperatorShares(operators[i], strategies);
            for (uint256 j = 0; j < strategies.length; ++j) {
                (, Allocation memory allocation) = _getUpdatedAllocation(operators[i], setKey, strategies[j]);
                slashableStake[i][j] = _stakeOf(
                    shares[j],
                    allocation.currentMagnitude,
                    _maxMagnitude(operators[i], strategies[j])
                );
            }
        }
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSlashable(address operator, OperatorSet memory operatorSet) public view returns (bool) {
        RegistrationStatus memory status = registrationStatus[operator][operatorSet.key()];
        return status.registered || block.number <= status.slashableUntil;
    }

    /// @inheritdoc IAllocationManager
    function getSlasher(OperatorSet memory operatorSet) public view returns (address) {
        SlasherParams memory params = _slashers[operatorSet.key()];
        if (params.effectBlock != 0 && block.number >= params.effectBlock) return params.pendingSlasher;
        return params.slasher;
    }

    /// @inheritdoc IAllocationManager
    function getPendingSlasher(OperatorSet memory operatorSet) external view returns (address, uint32) {
        SlasherParams memory params = _slashers[operatorSet.key()];
        return (params.pendingSlasher, params.effectBlock);
    }

    /// @inheritdoc IAllocationManager
    function getRedistributionRecipient(OperatorSet memory operatorSet) public view returns (address) {
        address recipient = _redistributionRecipients[operatorSet.key()];
        return recipient == address(0) ? DEFAULT_BURN_ADDRESS : recipient;
    }

    /// @inheritdoc IAllocationManager
    function isRedistributingOperatorSet(OperatorSet memory operatorSet) public view returns (bool) {
        return _redistributionRecipients[operatorSet.key()] != address(0);
    }

    /// @inheritdoc IAllocationManager
    function getSlashCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _slashIds[operatorSet.key()];
    }

    /// @inheritdoc IAllocationManager
    function isOperatorRedistributable(address operator) external view returns (bool) {
        return
            _anyRedistributingSlashable(operator, registeredSets[operator].values()) ||
            _anyRedistributingSlashable(operator, allocatedSets[operator].values());
    }

    // ---------------------------------------------------------------- internals

    function _slashStrategy(
        address operator,
        OperatorSet memory operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint256 wadToSlash
    ) internal returns (uint256 wadSlashed, uint256 sharesSlashed) {
        (uint64 prevMaxMagnitude, uint64 newMaxMagnitude) = _slashMagnitude(
            operator,
            operatorSet,
            strategy,
            wadToSlash
        );
        // Nothing allocated (e.g. a deallocation completed first): skipped, never reverts.
        if (prevMaxMagnitude == newMaxMagnitude) return (0, 0);
        wadSlashed = uint256(prevMaxMagnitude - newMaxMagnitude).divWad(prevMaxMagnitude);
        sharesSlashed = delegation.slashOperatorShares(
            operator,
            operatorSet,
            slashId,
            strategy,
            prevMaxMagnitude,
            newMaxMagnitude
        );
    }

    /// @dev Takes ceil(current * wadToSlash / WAD) magnitude from the allocation, the max and the encumbered
    /// magnitude, shrinks a pending deallocation by the same fraction, and checkpoints the new max magnitude.
    function _slashMagnitude(
        address operator,
        OperatorSet memory operatorSet,
        IStrategy strategy,
        uint256 wadToSlash
    ) internal returns (uint64 prevMaxMagnitude, uint64 newMaxMagnitude) {
        (StrategyInfo memory info, Allocation memory allocation) = _getUpdatedAllocation(
            operator,
            operatorSet.key(),
            strategy
        );
        prevMaxMagnitude = info.maxMagnitude;
        if (allocation.currentMagnitude == 0) return (prevMaxMagnitude, prevMaxMagnitude);

        // Round the slashed magnitude up so no slash rounds to zero (repeated slashes reach 0).
        uint64 slashedMagnitude = uint256(allocation.currentMagnitude).mulWadRoundUp(wadToSlash).toUint64();
        allocation.currentMagnitude -= slashedMagnitude;
        info.maxMagnitude -= slashedMagnitude;
        info.encumberedMagnitude -= slashedMagnitude;
        newMaxMagnitude = info.maxMagnitude;

        // A pending deallocation shrinks by the same fraction, so it frees less magnitude when it completes.
        if (allocation.pendingDiff < 0) {
            uint256 slashedPending = uint256(uint128(-allocation.pendingDiff)).mulWadRoundUp(wadToSlash);
            allocation.pendingDiff += int128(uint128(slashedPending.toUint64()));
            emit AllocationUpdated(
                operator,
                operatorSet,
                strategy,
                _addInt128(allocation.currentMagnitude, allocation.pendingDiff),
                allocation.effectBlock
            );
        }
        _updateAllocationInfo(operator, operatorSet.key(), strategy, info, allocation);
        emit AllocationUpdated(operator, operatorSet, strategy, allocation.currentMagnitude, uint32(block.number));

        _maxMagnitudeHistory[operator][strategy].push(uint32(block.number), newMaxMagnitude);
        emit MaxMagnitudeUpdated(operator, strategy, newMaxMagnitude);
    }

    function _modifyAllocation(
        address operator,
        OperatorSet calldata operatorSet,
        IStrategy strategy,
        uint64 newMagnitude,
        bool operatorSlashable,
        uint32 allocationDelay
    ) internal {
        if (newMagnitude > WAD) revert MagnitudeExceedsWad(newMagnitude);
        bytes32 setKey = operatorSet.key();
        _clearDeallocationQueue(operator, strategy, type(uint16).max);
        (StrategyInfo memory info, Allocation memory allocation) = _getUpdatedAllocation(operator, setKey, strategy);
        // Audit fix (EigenLayer PR #1052, Sigma Prime EGSL-05, Certora M-01): check the effect block, not the
        // pending diff, which a slash can round to 0 while the deallocation is still queued.
        if (allocation.effectBlock != 0) revert ModificationAlreadyPending(operator, strategy, allocation.effectBlock);
        if (newMagnitude == allocation.currentMagnitude) revert SameMagnitude(newMagnitude);

        allocation.pendingDiff = int128(uint128(newMagnitude)) - int128(uint128(allocation.currentMagnitude));
        bool delayed;
        if (allocation.pendingDiff < 0) {
            // A slashable deallocation stays slashable through block.number + DEALLOCATION_DELAY.
            delayed = operatorSlashable && _operatorSetStrategies[setKey].contains(address(strategy));
            if (delayed) {
                deallocationQueue[operator][strategy].pushBack(setKey);
                allocation.effectBlock = uint32(block.number) + DEALLOCATION_DELAY + 1;
            } else {
                info.encumberedMagnitude = _addInt128(info.encumberedMagnitude, allocation.pendingDiff);
            }
        } else {
            info.encumberedMagnitude = _addInt128(info.encumberedMagnitude, allocation.pendingDiff);
            if (info.encumberedMagnitude > info.maxMagnitude) {
                revert InsufficientMagnitude(info.encumberedMagnitude, info.maxMagnitude);
            }
            delayed = allocationDelay != 0;
            if (delayed) allocation.effectBlock = uint32(block.number) + allocationDelay;
        }
        if (!delayed) (allocation.currentMagnitude, allocation.pendingDiff) = (newMagnitude, 0);
        _updateAllocationInfo(operator, setKey, strategy, info, allocation);
        emit AllocationUpdated(
            operator,
            operatorSet,
            strategy,
            newMagnitude,
            allocation.effectBlock == 0 ? uint32(block.number) : allocation.effectBlock
        );
    }

    function _clearDeallocationQueue(address operator, IStrategy strategy, uint16 numToClear) internal {
        DoubleEndedQueue.Bytes32Deque storage queue = deallocationQueue[operator][strategy];
        uint256 cleared;
        while (queue.length() > 0 && cleared < numToClear) {
            bytes32 setKey = queue.front();
            (StrategyInfo memory info, Allocation memory allocation) = _getUpdatedAllocation(
                operator,
                setKey,
                strategy
            );
            // Entries are ordered by effect block: the first one not yet due stops the walk.
            if (allocation.effectBlock != 0) break;
            _updateAllocationInfo(operator, setKey, strategy, info, allocation);
            queue.popFront();
            ++cleared;
        }
    }

    /// @dev The allocation (and strategy info) as if a due pending change had been applied.
    function _getUpdatedAllocation(
        address operator,
        bytes32 setKey,
        IStrategy strategy
    ) internal view returns (StrategyInfo memory info, Allocation memory allocation) {
        info = StrategyInfo({
            maxMagnitude: _maxMagnitude(operator, strategy),
            encumberedMagnitude: encumberedMagnitude[operator][strategy]
        });
        allocation = allocations[operator][setKey][strategy];
        if (block.number < allocation.effectBlock) return (info, allocation);
        allocation.currentMagnitude = _addInt128(allocation.currentMagnitude, allocation.pendingDiff);
        if (allocation.pendingDiff < 0) {
            info.encumberedMagnitude = _addInt128(info.encumberedMagnitude, allocation.pendingDiff);
        }
        allocation.effectBlock = 0;
        allocation.pendingDiff = 0;
    }

    function _updateAllocationInfo(
        address operator,
        bytes32 setKey,
        IStrategy strategy,
        StrategyInfo memory info,
        Allocation memory allocation
    ) internal {
        if (encumberedMagnitude[operator][strategy] != info.encumberedMagnitude) {
            encumberedMagnitude[operator][strategy] = info.encumberedMagnitude;
            emit EncumberedMagnitudeUpdated(operator, strategy, info.encumberedMagnitude);
        }
        allocations[operator][setKey][strategy] = allocation;
        if (allocation.pendingDiff != 0 || allocation.currentMagnitude != 0) {
            allocatedStrategies[operator][setKey].add(address(strategy));
            allocatedSets[operator].add(setKey);
        } else {
            allocatedStrategies[operator][setKey].remove(address(strategy));
            if (allocatedStrategies[operator][setKey].length() == 0) allocatedSets[operator].remove(setKey);
        }
    }

    function _createOperatorSet(address avs, CreateSetParamsV2 calldata params, address recipient) internal {
        OperatorSet memory operatorSet = OperatorSet(avs, params.operatorSetId);
        if (!_operatorSets[avs].add(params.operatorSetId)) revert OperatorSetAlreadyExists(avs, params.operatorSetId);
        emit OperatorSetCreated(operatorSet);
        bool redistributing = recipient != DEFAULT_BURN_ADDRESS;
        if (redistributing) {
            _redistributionRecipients[operatorSet.key()] = recipient;
            emit RedistributionAddressSet(operatorSet, recipient);
        }
        for (uint256 i = 0; i < params.strategies.length; ++i) {
            _addStrategyToOperatorSet(operatorSet, params.strategies[i], redistributing);
        }
        _updateSlasher(operatorSet, params.slasher, true);
    }

    function _addStrategyToOperatorSet(
        OperatorSet memory operatorSet,
        IStrategy strategy,
        bool redistributing
    ) internal {
        // bEIGEN is the forkable token: its slashing is intersubjective, never redistributed.
        if (redistributing && address(eigenStrategy) != address(0) && strategy == eigenStrategy) {
            revert InvalidStrategy(strategy);
        }
        if (!_operatorSetStrategies[operatorSet.key()].add(address(strategy))) {
            revert StrategyAlreadyInOperatorSet(strategy);
        }
        emit StrategyAddedToOperatorSet(operatorSet, strategy);
    }

    function _updateSlasher(OperatorSet memory operatorSet, address slasher, bool instant) internal {
        if (slasher == address(0)) revert SlasherNotSet();
        bytes32 setKey = operatorSet.key();
        SlasherParams memory params = _slashers[setKey];
        if (params.effectBlock != 0 && block.number >= params.effectBlock) params.slasher = params.pendingSlasher;
        // Re-proposing the pending slasher does not restart its delay (Certora v1.9 I-01).
        if (!instant && slasher == params.pendingSlasher && block.number < params.effectBlock) return;
        params.pendingSlasher = slasher;
        if (instant) {
            params.slasher = slasher;
            params.effectBlock = uint32(block.number);
        } else {
            params.effectBlock = uint32(block.number) + SLASHER_CONFIGURATION_DELAY + 1;
        }
        _slashers[setKey] = params;
        emit SlasherUpdated(operatorSet, slasher, params.effectBlock);
    }

    function _checkAVSCaller(address avs) internal view {
        if (msg.sender != avs) revert InvalidCaller(msg.sender);
    }

    function _checkOperatorSetExists(OperatorSet memory operatorSet) internal view {
        if (!isOperatorSet(operatorSet)) revert InvalidOperatorSet(operatorSet.avs, operatorSet.id);
    }

    function _maxMagnitude(address operator, IStrategy strategy) internal view returns (uint64) {
        Checkpoints.Trace224 storage history = _maxMagnitudeHistory[operator][strategy];
        return history.length() == 0 ? WAD : uint64(history.latest());
    }

    function _anyRedistributingSlashable(address operator, bytes32[] memory keys) internal view returns (bool) {
        for (uint256 i = 0; i < keys.length; ++i) {
            OperatorSet memory operatorSet = OperatorSetLib.decode(keys[i]);
            if (isRedistributingOperatorSet(operatorSet) && isOperatorSlashable(operator, operatorSet)) return true;
        }
        return false;
    }

    /// @dev Stake (shares) slashable through `magnitude`: floor(shares * floor(magnitude * WAD / max) / WAD).
    function _stakeOf(uint256 shares, uint64 magnitude, uint64 maxMagnitude) internal pure returns (uint256) {
        if (maxMagnitude == 0) return 0;
        return shares.mulWad(uint256(magnitude).divWad(maxMagnitude));
    }

    /// @dev a + b with checks: reverts (SafeCast) instead of wrapping, audit fix Certora C-01.
    function _addInt128(uint64 a, int128 b) internal pure returns (uint64) {
        return uint256(int256(int128(uint128(a)) + b)).toUint64();
    }

    function _decodeSets(bytes32[] memory keys) internal pure returns (OperatorSet[] memory sets) {
        sets = new OperatorSet[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            sets[i] = OperatorSetLib.decode(keys[i]);
        }
    }

    function _toStrategies(address[] memory addresses) internal pure returns (IStrategy[] memory strategies) {
        // shrinks a memory array to its filled length in place (no Solidity equivalent)
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            strategies := addresses
        }
    }
}
