// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOperatorStakeTable} from "../interfaces/IOperatorStakeTable.sol";

/// @title OperatorStakeTable
/// @notice Per-block history of operator weights in one operator set. Weights are written by the
/// updater (the AVS registrar or a sync keeper that reads allocated stake from the AllocationManager);
/// certificate verifiers read them at a past reference block, so later changes never alter old results.
contract OperatorStakeTable is IOperatorStakeTable {
    using Checkpoints for Checkpoints.Trace224;

    /// @notice Thrown when a caller other than the updater writes weights.
    error OnlyUpdater(address caller);
    /// @notice Thrown when the operator and stake arrays differ in length.
    error LengthMismatch(uint256 operators, uint256 stakes);

    /// @notice Emitted when an operator's weight changes.
    event OperatorStakeUpdated(address indexed operator, uint256 previousStake, uint256 newStake);

    /// @notice The account allowed to write weights.
    address public immutable updater;

    mapping(address operator => Checkpoints.Trace224) private _operatorStakes;
    Checkpoints.Trace224 private _totalStake;

    constructor(address updater_) {
        updater = updater_;
    }

    /// @notice Sets the current weights of `operators` (zero removes an operator's weight).
    function setOperatorStakes(address[] calldata operators, uint256[] calldata stakes) external {
        if (msg.sender != updater) revert OnlyUpdater(msg.sender);
        if (operators.length != stakes.length) revert LengthMismatch(operators.length, stakes.length);
        uint256 total = _totalStake.latest();
        uint32 current = SafeCast.toUint32(block.number);
        for (uint256 i = 0; i < operators.length; ++i) {
            uint256 previous = _operatorStakes[operators[i]].latest();
            _operatorStakes[operators[i]].push(current, SafeCast.toUint224(stakes[i]));
            total = total - previous + stakes[i];
            emit OperatorStakeUpdated(operators[i], previous, stakes[i]);
        }
        _totalStake.push(current, SafeCast.toUint224(total));
    }

    /// @inheritdoc IOperatorStakeTable
    function operatorStakeAt(address operator, uint32 blockNumber) external view returns (uint256) {
        return _operatorStakes[operator].upperLookupRecent(blockNumber);
    }

    /// @inheritdoc IOperatorStakeTable
    function totalStakeAt(uint32 blockNumber) external view returns (uint256) {
        return _totalStake.upperLookupRecent(blockNumber);
    }

    /// @notice The operator's current weight.
    function currentStake(address operator) external view returns (uint256) {
        return _operatorStakes[operator].latest();
    }

    /// @notice The current total weight.
    function currentTotalStake() external view returns (uint256) {
        return _totalStake.latest();
    }
}
