// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManager} from "./IAllocationManager.sol";
import {IAVSRegistrar} from "./IAVSRegistrar.sol";
import {IBLSApkRegistry} from "./IBLSApkRegistry.sol";
import {IBLSSignatureChecker} from "./IBLSSignatureChecker.sol";
import {IOperatorStakeTable} from "./IOperatorStakeTable.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title IBLSAVSRegistrar
/// @notice The AVS registrar of one BLS-signing operator set (DA nodes, TEE executors, inference
/// committees): the AllocationManager calls it when operators join or leave the set; it keeps the set's
/// BLS keys (with their aggregate-key history) and the operators' signing weights, which are their
/// minimum slashable stake in the set (unique stake), weighted per strategy.
interface IBLSAVSRegistrar is IAVSRegistrar {
    /// @notice A strategy counted in the weight, with its multiplier (WAD = 1x).
    struct StrategyWeight {
        IStrategy strategy;
        uint96 multiplier;
    }

    /// @notice Thrown when a caller other than the AllocationManager calls a registrar hook.
    error OnlyAllocationManager(address caller);
    /// @notice Thrown when the hook is for another AVS.
    error WrongAVS(address avs);
    /// @notice Thrown when the hook names an operator set other than this registrar's.
    error WrongOperatorSet(uint32 operatorSetId);
    /// @notice Thrown when no strategy weights are given or a multiplier is zero.
    error InvalidStrategyWeights();

    /// @notice Thrown when a non-member updates its socket.
    error NotMember(address operator);

    /// @notice Emitted when an operator's socket (its service URL) is set.
    event OperatorSocketUpdated(address indexed operator, string socket);
    /// @notice Emitted when weights are re-read from the AllocationManager.
    event StakesSynced(uint256 operatorCount, uint256 totalStake);

    /// @notice The AllocationManager this registrar listens to.
    function allocationManager() external view returns (IAllocationManager);

    /// @notice The AVS whose operator set this registrar serves.
    function avs() external view returns (address);

    /// @notice The operator set id within the AVS.
    function operatorSetId() external view returns (uint32);

    /// @notice The BLS key registry (created by this registrar, which manages its membership).
    function apkRegistry() external view returns (IBLSApkRegistry);

    /// @notice The weight history (created by this registrar, which writes it).
    function stakeTable() external view returns (IOperatorStakeTable);

    /// @notice The certificate checker over this set's keys and weights.
    function signatureChecker() external view returns (IBLSSignatureChecker);

    /// @notice The strategies counted in an operator's weight.
    function strategyWeights() external view returns (StrategyWeight[] memory);

    /// @notice The service URL of `operator` (e.g. its DA node), from its registration data
    /// (`abi.encode(string)`) or `updateSocket`.
    function socketOf(address operator) external view returns (string memory);

    /// @notice Sets the caller's service URL. Only members.
    function updateSocket(string calldata socket) external;

    /// @notice Re-reads the weights of `operators` from the AllocationManager (anyone may call; keepers
    /// call it after allocations change or a slash). Non-members get weight 0.
    function syncStakes(address[] calldata operators) external;

    /// @notice The weight `operator` would get now: sum over strategies of minimum slashable stake
    /// times multiplier / WAD.
    function currentWeight(address operator) external view returns (uint256);
}
