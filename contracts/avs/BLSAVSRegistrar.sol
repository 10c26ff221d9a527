// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IBLSApkRegistry} from "../interfaces/IBLSApkRegistry.sol";
import {IBLSAVSRegistrar} from "../interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";
import {IOperatorStakeTable} from "../interfaces/IOperatorStakeTable.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {BLSApkRegistry} from "../bls/BLSApkRegistry.sol";
import {BLSSignatureChecker} from "../bls/BLSSignatureChecker.sol";
import {OperatorStakeTable} from "../bls/OperatorStakeTable.sol";

/// @title BLSAVSRegistrar
/// @notice Registrar of one BLS-signing operator set. Creates and manages the set's key registry, weight
/// table and certificate checker, so one deployment gives an AVS everything it needs to verify
/// stake-weighted certificates from its operators.
contract BLSAVSRegistrar is IBLSAVSRegistrar {
    uint256 internal constant WAD = 1e18;

    /// @inheritdoc IBLSAVSRegistrar
    IAllocationManager public immutable allocationManager;
    /// @inheritdoc IBLSAVSRegistrar
    address public immutable avs;
    /// @inheritdoc IBLSAVSRegistrar
    uint32 public immutable operatorSetId;
    /// @inheritdoc IBLSAVSRegistrar
    IBLSApkRegistry public immutable apkRegistry;
    /// @inheritdoc IBLSAVSRegistrar
    IOperatorStakeTable public immutable stakeTable;
    /// @inheritdoc IBLSAVSRegistrar
    IBLSSignatureChecker public immutable signatureChecker;

    StrategyWeight[] private _strategyWeights;
    /// @inheritdoc IBLSAVSRegistrar
    mapping(address operator => string) public socketOf;

    modifier onlyAllocationManager() {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager(msg.sender);
        _;
    }

    /// @param allocationManager_ The restaking core's AllocationManager.
    /// @param avs_ The AVS address that owns the operator set.
    /// @param operatorSetId_ The operator set this registrar serves.
    /// @param weights Strategies counted in the weight and their multipliers (WAD = 1x).
    constructor(
        IAllocationManager allocationManager_,
        address avs_,
        uint32 operatorSetId_,
        StrategyWeight[] memory weights
    ) {
        if (weights.length == 0) revert InvalidStrategyWeights();
        for (uint256 i = 0; i < weights.length; ++i) {
            if (weights[i].multiplier == 0) revert InvalidStrategyWeights();
            _strategyWeights.push(weights[i]);
        }
        allocationManager = allocationManager_;
        avs = avs_;
        operatorSetId = operatorSetId_;
        BLSApkRegistry registry = new BLSApkRegistry(address(this));
        OperatorStakeTable table = new OperatorStakeTable(address(this));
        apkRegistry = registry;
        stakeTable = table;
        signatureChecker = new BLSSignatureChecker(registry, table);
    }

    /// @inheritdoc IAVSRegistrar
    function registerOperator(
        address operator,
        address avs_,
        uint32[] calldata operatorSetIds,
        bytes calldata data
    ) external onlyAllocationManager {
        _checkTarget(avs_, operatorSetIds);
        if (data.length != 0) _setSocket(operator, abi.decode(data, (string)));
        apkRegistry.addOperator(operator);
        _writeWeight(operator, currentWeight(operator));
    }

    /// @inheritdoc IAVSRegistrar
    function deregisterOperator(
        address operator,
        address avs_,
        uint32[] calldata operatorSetIds
    ) external onlyAllocationManager {
        _checkTarget(avs_, operatorSetIds);
        apkRegistry.removeOperator(operator);
        _writeWeight(operator, 0);
    }

    /// @inheritdoc IAVSRegistrar
    function supportsAVS(address avs_) external view returns (bool) {
        return avs_ == avs;
    }

    /// @inheritdoc IBLSAVSRegistrar
    function updateSocket(string calldata socket) external {
        if (!apkRegistry.isMember(msg.sender)) revert NotMember(msg.sender);
        _setSocket(msg.sender, socket);
    }

    /// @inheritdoc IBLSAVSRegistrar
    function syncStakes(address[] calldata operators) external {
        uint256[] memory weights = new uint256[](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            weights[i] = apkRegistry.isMember(operators[i]) ? currentWeight(operators[i]) : 0;
        }
        OperatorStakeTable(address(stakeTable)).setOperatorStakes(operators, weights);
        emit StakesSynced(operators.length, OperatorStakeTable(address(stakeTable)).currentTotalStake());
    }

    /// @inheritdoc IBLSAVSRegistrar
    function strategyWeights() external view returns (StrategyWeight[] memory) {
        return _strategyWeights;
    }

    /// @inheritdoc IBLSAVSRegistrar
    function currentWeight(address operator) public view returns (uint256 weight) {
        uint256 count = _strategyWeights.length;
        IStrategy[] memory strategies = new IStrategy[](count);
        for (uint256 i = 0; i < count; ++i) {
            strategies[i] = _strategyWeights[i].strategy;
        }
        address[] memory operators = new address[](1);
        operators[0] = operator;
        uint256[][] memory stake = allocationManager.getMinimumSlashableStake(
            OperatorSet(avs, operatorSetId),
            operators,
            strategies,
            uint32(block.number)
        );
        for (uint256 i = 0; i < count; ++i) {
            weight += (stake[0][i] * _strategyWeights[i].multiplier) / WAD;
        }
    }

    function _checkTarget(address avs_, uint32[] calldata operatorSetIds) private view {
        if (avs_ != avs) revert WrongAVS(avs_);
        for (uint256 i = 0; i < operatorSetIds.length; ++i) {
            if (operatorSetIds[i] != operatorSetId) revert WrongOperatorSet(operatorSetIds[i]);
        }
    }

    function _setSocket(address operator, string memory socket) private {
        socketOf[operator] = socket;
        emit OperatorSocketUpdated(operator, socket);
    }

    function _writeWeight(address operator, uint256 weight) private {
        address[] memory operators = new address[](1);
        uint256[] memory weights = new uint256[](1);
        operators[0] = operator;
        weights[0] = weight;
        OperatorStakeTable(address(stakeTable)).setOperatorStakes(operators, weights);
    }
}
