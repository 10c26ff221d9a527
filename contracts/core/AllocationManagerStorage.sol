// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {DoubleEndedQueue} from "@openzeppelin/contracts/utils/structs/DoubleEndedQueue.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";

/// @title AllocationManagerStorage
/// @notice The AllocationManager's state, kept apart from its logic (EigenLayer layout).
abstract contract AllocationManagerStorage is IAllocationManager {
    /// @notice Where slashed funds of burning operator sets go.
    address public constant DEFAULT_BURN_ADDRESS = 0x00000000000000000000000000000000000E16E4;

    /// @notice The DelegationManager.
    IDelegationManager public immutable delegation;
    /// @notice Blocks a slashable deallocation (or deregistration) stays slashable.
    uint32 public immutable DEALLOCATION_DELAY;
    /// @notice Blocks before a changed allocation delay applies.
    uint32 public immutable ALLOCATION_CONFIGURATION_DELAY;
    /// @notice Blocks before a changed slasher applies (equal to the allocation configuration delay).
    uint32 public immutable SLASHER_CONFIGURATION_DELAY;

    /// @notice The EIGEN (bEIGEN) strategy; redistributing sets may not use it.
    IStrategy public eigenStrategy;

    /// @dev Per (operator, strategy): max magnitude by block; no checkpoint means WAD.
    mapping(address operator => mapping(IStrategy strategy => Checkpoints.Trace224)) internal _maxMagnitudeHistory;
    /// @notice Per (operator, strategy): magnitude in use (current + pending increases + queued decreases).
    mapping(address operator => mapping(IStrategy strategy => uint64)) public encumberedMagnitude;
    /// @dev Per (operator, set key, strategy): the allocation.
    mapping(address operator => mapping(bytes32 setKey => mapping(IStrategy strategy => Allocation)))
        internal allocations;
    /// @dev Per (operator, strategy): set keys with pending deallocations, in effect-block order.
    mapping(address operator => mapping(IStrategy strategy => DoubleEndedQueue.Bytes32Deque))
        internal deallocationQueue;
    /// @dev Per (operator, set key): registration status.
    mapping(address operator => mapping(bytes32 setKey => RegistrationStatus)) internal registrationStatus;
    /// @dev Per operator: allocation delay.
    mapping(address operator => AllocationDelayInfo) internal _allocationDelayInfo;
    /// @dev Per AVS: registrar (zero means the AVS itself).
    mapping(address avs => IAVSRegistrar) internal _avsRegistrar;
    /// @dev Per AVS: whether it has published metadata.
    mapping(address avs => bool) internal _avsRegisteredMetadata;
    /// @dev Per AVS: its operator set ids.
    mapping(address avs => EnumerableSet.UintSet) internal _operatorSets;
    /// @dev Per set key: its strategies.
    mapping(bytes32 setKey => EnumerableSet.AddressSet) internal _operatorSetStrategies;
    /// @dev Per set key: its registered operators.
    mapping(bytes32 setKey => EnumerableSet.AddressSet) internal _operatorSetMembers;
    /// @dev Per operator: sets it is registered for.
    mapping(address operator => EnumerableSet.Bytes32Set) internal registeredSets;
    /// @dev Per operator: sets it has (or has pending) allocations in.
    mapping(address operator => EnumerableSet.Bytes32Set) internal allocatedSets;
    /// @dev Per (operator, set key): strategies it has (or has pending) allocations of.
    mapping(address operator => mapping(bytes32 setKey => EnumerableSet.AddressSet)) internal allocatedStrategies;
    /// @dev Per set key: last slash id.
    mapping(bytes32 setKey => uint256) internal _slashIds;
    /// @dev Per set key: redistribution recipient (zero means burn).
    mapping(bytes32 setKey => address) internal _redistributionRecipients;
    /// @dev Per set key: slasher.
    mapping(bytes32 setKey => SlasherParams) internal _slashers;

    constructor(IDelegationManager delegation_, uint32 deallocationDelay, uint32 allocationConfigurationDelay) {
        delegation = delegation_;
        DEALLOCATION_DELAY = deallocationDelay;
        ALLOCATION_CONFIGURATION_DELAY = allocationConfigurationDelay;
        SLASHER_CONFIGURATION_DELAY = allocationConfigurationDelay;
    }
}
