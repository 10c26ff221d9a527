// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {IAVSRegistrar} from "./IAVSRegistrar.sol";
import {IDelegationManager} from "./IDelegationManager.sol";
import {IPausable} from "./IPausable.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title IAllocationManagerErrors
interface IAllocationManagerErrors {
    /// @notice Thrown when a slash fraction is 0 or above WAD.
    error InvalidWadToSlash(uint256 wadToSlash);
    /// @notice Thrown when two arrays that must match in length do not.
    error InputArrayLengthMismatch(uint256 length1, uint256 length2);
    /// @notice Thrown when a registrar does not declare support for the AVS.
    error InvalidAVSRegistrar(address avs, IAVSRegistrar registrar);
    /// @notice Thrown when a strategy may not be used where it was given (e.g. EIGEN in a redistributing set).
    error InvalidStrategy(IStrategy strategy);
    /// @notice Thrown when a redistribution recipient is the burn address.
    error InvalidRedistributionRecipient(address recipient);
    /// @notice Thrown when the caller may not act for the operator, AVS or operator set.
    error InvalidCaller(address caller);
    /// @notice Thrown when `operator` is not registered in the DelegationManager.
    error InvalidOperator(address operator);
    /// @notice Thrown when an AVS creates operator sets before publishing metadata.
    error NonexistentAVSMetadata(address avs);
    /// @notice Thrown when an operator allocates before its allocation delay is set.
    error UninitializedAllocationDelay(address operator);
    /// @notice Thrown when slashing an operator that is not slashable by the set.
    error OperatorNotSlashable(address operator, address avs, uint32 operatorSetId);
    /// @notice Thrown when registering an operator that is already (or still slashable as) a member.
    error AlreadyMemberOfSet(address operator, address avs, uint32 operatorSetId);
    /// @notice Thrown when deregistering an operator that is not a member.
    error NotMemberOfSet(address operator, address avs, uint32 operatorSetId);
    /// @notice Thrown when an operator set does not exist.
    error InvalidOperatorSet(address avs, uint32 operatorSetId);
    /// @notice Thrown when creating an operator set that already exists.
    error OperatorSetAlreadyExists(address avs, uint32 operatorSetId);
    /// @notice Thrown when slash strategies are not strictly ascending (no duplicates).
    error StrategiesMustBeInAscendingOrder(IStrategy previous, IStrategy next);
    /// @notice Thrown when adding a strategy that is already in the set.
    error StrategyAlreadyInOperatorSet(IStrategy strategy);
    /// @notice Thrown when a strategy is not in the set.
    error StrategyNotInOperatorSet(IStrategy strategy);
    /// @notice Thrown when a modification would not change the magnitude.
    error SameMagnitude(uint64 magnitude);
    /// @notice Thrown when an allocation already has a pending modification (audit fix EGSL-05/M-01).
    error ModificationAlreadyPending(address operator, IStrategy strategy, uint32 effectBlock);
    /// @notice Thrown when allocations would exceed the operator's max magnitude.
    error InsufficientMagnitude(uint64 encumberedMagnitude, uint64 maxMagnitude);
    /// @notice Thrown when a requested magnitude exceeds WAD (audit fix C-01).
    error MagnitudeExceedsWad(uint64 magnitude);
    /// @notice Thrown when a slasher address is zero or a set has no slasher.
    error SlasherNotSet();
    /// @notice Thrown when the EIGEN strategy is set a second time.
    error EigenStrategyAlreadySet(IStrategy eigenStrategy);
}

/// @title IAllocationManagerTypes
interface IAllocationManagerTypes {
    /// @notice An operator's allocation of one strategy to one set. `pendingDiff` takes effect at `effectBlock`.
    struct Allocation {
        uint64 currentMagnitude;
        int128 pendingDiff;
        uint32 effectBlock;
    }

    /// @notice A set's slasher and a pending replacement effective at `effectBlock`.
    struct SlasherParams {
        address slasher;
        address pendingSlasher;
        uint32 effectBlock;
    }

    /// @notice An operator's allocation delay and a pending replacement effective at `effectBlock`.
    struct AllocationDelayInfo {
        uint32 delay;
        bool isSet;
        uint32 pendingDelay;
        uint32 effectBlock;
    }

    /// @notice Whether an operator is registered for a set and until which block it stays slashable.
    struct RegistrationStatus {
        bool registered;
        uint32 slashableUntil;
    }

    /// @notice An operator's max and encumbered magnitude in one strategy.
    struct StrategyInfo {
        uint64 maxMagnitude;
        uint64 encumberedMagnitude;
    }

    /// @notice A slash request: fractions (WAD) of the operator's allocation per strategy (ascending).
    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }

    /// @notice New magnitudes (WAD = all of the stake) of `strategies` for `operatorSet`.
    struct AllocateParams {
        OperatorSet operatorSet;
        IStrategy[] strategies;
        uint64[] newMagnitudes;
    }

    /// @notice Registration for operator sets of `avs`; `data` goes to the AVS registrar.
    struct RegisterParams {
        address avs;
        uint32[] operatorSetIds;
        bytes data;
    }

    /// @notice Deregistration of `operator` from operator sets of `avs`.
    struct DeregisterParams {
        address operator;
        address avs;
        uint32[] operatorSetIds;
    }

    /// @notice A new operator set with its strategies and slasher.
    struct CreateSetParamsV2 {
        uint32 operatorSetId;
        IStrategy[] strategies;
        address slasher;
    }
}

/// @title IAllocationManagerEvents
interface IAllocationManagerEvents is IAllocationManagerTypes {
    /// @notice Emitted when an operator's allocation delay is set; it applies from `effectBlock`.
    event AllocationDelaySet(address operator, uint32 delay, uint32 effectBlock);
    /// @notice Emitted when a set's slasher is set; it applies from `effectBlock`.
    event SlasherUpdated(OperatorSet operatorSet, address slasher, uint32 effectBlock);
    /// @notice Emitted when an allocation changes; `magnitude` is the value from `effectBlock`.
    event AllocationUpdated(
        address operator,
        OperatorSet operatorSet,
        IStrategy strategy,
        uint64 magnitude,
        uint32 effectBlock
    );
    /// @notice Emitted when an operator's encumbered magnitude changes.
    event EncumberedMagnitudeUpdated(address operator, IStrategy strategy, uint64 encumberedMagnitude);
    /// @notice Emitted when an operator's max magnitude changes (only ever down, by slashing).
    event MaxMagnitudeUpdated(address operator, IStrategy strategy, uint64 maxMagnitude);
    /// @notice Emitted by a slash; `wadSlashed` are fractions of the operator's whole stake per strategy.
    event OperatorSlashed(
        address operator,
        OperatorSet operatorSet,
        IStrategy[] strategies,
        uint256[] wadSlashed,
        string description
    );
    /// @notice Emitted when an AVS sets its registrar.
    event AVSRegistrarSet(address avs, IAVSRegistrar registrar);
    /// @notice Emitted when an AVS publishes metadata.
    event AVSMetadataURIUpdated(address indexed avs, string metadataURI);
    /// @notice Emitted when an operator set is created.
    event OperatorSetCreated(OperatorSet operatorSet);
    /// @notice Emitted when an operator joins a set.
    event OperatorAddedToOperatorSet(address indexed operator, OperatorSet operatorSet);
    /// @notice Emitted when an operator leaves a set.
    event OperatorRemovedFromOperatorSet(address indexed operator, OperatorSet operatorSet);
    /// @notice Emitted when a redistributing set is created with its fixed recipient.
    event RedistributionAddressSet(OperatorSet operatorSet, address redistributionRecipient);
    /// @notice Emitted when a strategy is added to a set.
    event StrategyAddedToOperatorSet(OperatorSet operatorSet, IStrategy strategy);
    /// @notice Emitted when a strategy is removed from a set.
    event StrategyRemovedFromOperatorSet(OperatorSet operatorSet, IStrategy strategy);
    /// @notice Emitted once, when governance names the EIGEN (bEIGEN) strategy.
    event EigenStrategySet(IStrategy eigenStrategy);
}

/// @title IAllocationManager
/// @notice AVS operator sets, operators' magnitude allocations (unique stake) and slashing
/// (EigenLayer-compatible). Magnitudes are WAD-denominated fractions of an operator's stake per strategy;
/// the allocations of all sets never exceed the operator's max magnitude, so no two sets can slash the
/// same stake.
interface IAllocationManager is IAllocationManagerErrors, IAllocationManagerEvents, IPausable {
    /// @notice Slashes `params.operator` in set (`avs`, `params.operatorSetId`) by `wadsToSlash` of its
    /// allocation per strategy. Only the set's slasher. The slashed magnitude rounds up; allocations of
    /// magnitude 0 are skipped. Never moves tokens: the shares are recorded in the StrategyManager.
    /// @return slashId The set's new slash id.
    /// @return shares The shares recorded for burning or redistribution, per strategy.
    function slashOperator(
        address avs,
        SlashingParams calldata params
    ) external returns (uint256 slashId, uint256[] memory shares);

    /// @notice Changes `operator`'s allocations. Increases take effect after the allocation delay;
    /// decreases of slashable allocations after `DEALLOCATION_DELAY` blocks (slashable until then).
    /// @dev Only the operator. At most one pending modification per (operator, set, strategy).
    function modifyAllocations(address operator, AllocateParams[] calldata params) external;

    /// @notice Completes up to `numToClear[i]` due deallocations of `strategies[i]`. Permissionless.
    function clearDeallocationQueue(
        address operator,
        IStrategy[] calldata strategies,
        uint16[] calldata numToClear
    ) external;

    /// @notice Registers `operator` for sets of `params.avs`, then calls the AVS registrar (which may refuse).
    /// @dev Only the operator.
    function registerForOperatorSets(address operator, RegisterParams calldata params) external;

    /// @notice Deregisters `params.operator` from sets; it stays slashable for `DEALLOCATION_DELAY` blocks.
    /// @dev The operator or the AVS.
    function deregisterFromOperatorSets(DeregisterParams calldata params) external;

    /// @notice Sets `operator`'s allocation delay: at once when called by the DelegationManager at
    /// registration, else after `ALLOCATION_CONFIGURATION_DELAY + 1` blocks. Only the operator.
    function setAllocationDelay(address operator, uint32 delay) external;

    /// @notice Sets the registrar `avs` uses to accept operators. Only the AVS.
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external;

    /// @notice Publishes `avs`'s metadata URI (required before creating sets). Only the AVS.
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external;

    /// @notice Creates burning operator sets (slashed stake goes to the burn address). Only the AVS.
    function createOperatorSets(address avs, CreateSetParamsV2[] calldata params) external;

    /// @notice Creates redistributing operator sets with fixed recipients (never zero or the burn
    /// address). Only the AVS.
    function createRedistributingOperatorSets(
        address avs,
        CreateSetParamsV2[] calldata params,
        address[] calldata redistributionRecipients
    ) external;

    /// @notice Adds strategies to a set. Only the AVS.
    function addStrategiesToOperatorSet(address avs, uint32 operatorSetId, IStrategy[] calldata strategies) external;

    /// @notice Removes strategies from a set. Only the AVS.
    function removeStrategiesFromOperatorSet(
        address avs,
        uint32 operatorSetId,
        IStrategy[] calldata strategies
    ) external;

    /// @notice Proposes a new slasher for a set, effective after `SLASHER_CONFIGURATION_DELAY + 1` blocks.
    /// @dev Only the AVS. Re-proposing the same pending slasher is a no-op.
    function updateSlasher(OperatorSet memory operatorSet, address slasher) external;

    /// @notice Names the EIGEN (bEIGEN) strategy, which redistributing sets may not use; once. Only governance
    /// (the pauser registry's unpauser).
    function setEigenStrategy(IStrategy eigenStrategy_) external;

    /// @notice The number of sets `avs` has created.
    function getOperatorSetCount(address avs) external view returns (uint256);

    /// @notice The sets `operator` has (or had, pending) allocations in.
    function getAllocatedSets(address operator) external view returns (OperatorSet[] memory);

    /// @notice The strategies `operator` has allocations of in `operatorSet`.
    function getAllocatedStrategies(
        address operator,
        OperatorSet memory operatorSet
    ) external view returns (IStrategy[] memory);

    /// @notice `operator`'s allocation of `strategy` to `operatorSet`, with due changes applied.
    function getAllocation(
        address operator,
        OperatorSet memory operatorSet,
        IStrategy strategy
    ) external view returns (Allocation memory);

    /// @notice Magnitude in use: current allocations + pending increases + deallocations not yet due.
    function getEncumberedMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice The sets with queued deallocations of `strategy` by `operator`, in effect-block order (entries
    /// already completed lazily stay until the queue is cleared).
    function getDeallocationQueue(address operator, IStrategy strategy) external view returns (OperatorSet[] memory);

    /// @notice Max magnitude minus encumbered magnitude.
    function getAllocatableMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice `operator`'s max magnitude in `strategy` (WAD until slashed).
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice Max magnitudes of one operator.
    function getMaxMagnitudes(
        address operator,
        IStrategy[] calldata strategies
    ) external view returns (uint64[] memory);

    /// @notice Max magnitudes of several operators in one strategy.
    function getMaxMagnitudes(address[] calldata operators, IStrategy strategy) external view returns (uint64[] memory);

    /// @notice Max magnitudes at the end of block `blockNumber`.
    function getMaxMagnitudesAtBlock(
        address operator,
        IStrategy[] calldata strategies,
        uint32 blockNumber
    ) external view returns (uint64[] memory);

    /// @notice `operator`'s allocation delay, and whether it is set.
    function getAllocationDelay(address operator) external view returns (bool isSet, uint32 delay);

    /// @notice The sets `operator` is registered for.
    function getRegisteredSets(address operator) external view returns (OperatorSet[] memory operatorSets);

    /// @notice Whether `operator` is registered for `operatorSet`.
    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet) external view returns (bool);

    /// @notice Whether `operatorSet` exists.
    function isOperatorSet(OperatorSet memory operatorSet) external view returns (bool);

    /// @notice The operators registered for `operatorSet`.
    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory operators);

    /// @notice The number of operators registered for `operatorSet`.
    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256);

    /// @notice The registrar `avs` uses (the AVS itself when none is set).
    function getAVSRegistrar(address avs) external view returns (IAVSRegistrar);

    /// @notice The strategies of `operatorSet`.
    function getStrategiesInOperatorSet(
        OperatorSet memory operatorSet
    ) external view returns (IStrategy[] memory strategies);

    /// @notice Stake (in shares) each operator is guaranteed to have slashable by the set at `futureBlock`:
    /// current allocations minus deallocations due by then; 0 for operators not slashable by the set.
    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory slashableStake);

    /// @notice Stake (in shares) each operator has allocated to the set now: operatorShares * current / max.
    function getAllocatedStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory slashableStake);

    /// @notice Whether `operator` can be slashed by `operatorSet` now (registered, or within the window).
    function isOperatorSlashable(address operator, OperatorSet memory operatorSet) external view returns (bool);

    /// @notice The slasher of `operatorSet` now.
    function getSlasher(OperatorSet memory operatorSet) external view returns (address);

    /// @notice The pending slasher of `operatorSet` and the block it takes effect.
    function getPendingSlasher(
        OperatorSet memory operatorSet
    ) external view returns (address pendingSlasher, uint32 effectBlock);

    /// @notice Where slashed funds of `operatorSet` go: its recipient, or the burn address.
    function getRedistributionRecipient(OperatorSet memory operatorSet) external view returns (address);

    /// @notice Whether `operatorSet` redistributes instead of burning.
    function isRedistributingOperatorSet(OperatorSet memory operatorSet) external view returns (bool);

    /// @notice The number of slashes of `operatorSet` (the last slash id).
    function getSlashCount(OperatorSet memory operatorSet) external view returns (uint256);

    /// @notice Whether any redistributing set can slash `operator` now.
    function isOperatorRedistributable(address operator) external view returns (bool);

    /// @notice The DelegationManager.
    function delegation() external view returns (IDelegationManager);

    /// @notice The EIGEN (bEIGEN) strategy, or zero while not set.
    function eigenStrategy() external view returns (IStrategy);

    /// @notice Blocks a slashable deallocation (or deregistration) stays slashable.
    function DEALLOCATION_DELAY() external view returns (uint32);

    /// @notice Blocks before a changed allocation delay applies.
    function ALLOCATION_CONFIGURATION_DELAY() external view returns (uint32);

    /// @notice Blocks before a changed slasher applies.
    function SLASHER_CONFIGURATION_DELAY() external view returns (uint32);

    /// @notice Where slashed funds of burning sets go (0x00000000000000000000000000000000000E16E4).
    function DEFAULT_BURN_ADDRESS() external view returns (address);
}
