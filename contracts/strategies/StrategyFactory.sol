// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyFactory} from "../interfaces/IStrategyFactory.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {StrategyBase} from "./StrategyBase.sol";

/// @title StrategyFactory
/// @notice Deploys one StrategyBase per token (CREATE2, salt = token) and whitelists it for deposits; it is the
/// StrategyManager's strategy whitelister. Governance (the owner) can blacklist tokens and whitelist
/// strategies deployed elsewhere (such as the bEIGEN strategy).
contract StrategyFactory is IStrategyFactory, Ownable2Step {
    /// @notice The StrategyManager the strategies belong to.
    IStrategyManager public immutable strategyManager;
    /// @notice The pauser registry given to every strategy.
    IPauserRegistry public immutable pauserRegistry;

    /// @inheritdoc IStrategyFactory
    mapping(IERC20 token => IStrategy strategy) public deployedStrategies;
    /// @inheritdoc IStrategyFactory
    mapping(IERC20 token => bool blacklisted) public isBlacklisted;

    /// @param strategyManager_ The StrategyManager.
    /// @param pauserRegistry_ The shared pauser registry.
    /// @param initialOwner Governance.
    constructor(
        IStrategyManager strategyManager_,
        IPauserRegistry pauserRegistry_,
        address initialOwner
    ) Ownable(initialOwner) {
        strategyManager = strategyManager_;
        pauserRegistry = pauserRegistry_;
    }

    /// @inheritdoc IStrategyFactory
    function deployNewStrategy(IERC20 token) external returns (IStrategy newStrategy) {
        if (address(token) == address(0)) revert TokenAddressZero();
        if (isBlacklisted[token]) revert BlacklistedToken(token);
        IStrategy existing = deployedStrategies[token];
        if (address(existing) != address(0)) revert StrategyAlreadyExists(token, existing);
        newStrategy = new StrategyBase{salt: bytes32(uint256(uint160(address(token))))}(
            strategyManager,
            pauserRegistry,
            token
        );
        deployedStrategies[token] = newStrategy;
        emit StrategySetForToken(token, newStrategy);
        IStrategy[] memory toWhitelist = new IStrategy[](1);
        toWhitelist[0] = newStrategy;
        strategyManager.addStrategiesToDepositWhitelist(toWhitelist);
    }

    /// @inheritdoc IStrategyFactory
    function blacklistTokens(IERC20[] calldata tokens) external onlyOwner {
        IStrategy[] memory toRemove = new IStrategy[](tokens.length);
        uint256 count;
        for (uint256 i = 0; i < tokens.length; ++i) {
            if (isBlacklisted[tokens[i]]) revert AlreadyBlacklisted(tokens[i]);
            isBlacklisted[tokens[i]] = true;
            emit TokenBlacklisted(tokens[i]);
            IStrategy deployed = deployedStrategies[tokens[i]];
            if (address(deployed) != address(0)) toRemove[count++] = deployed;
        }
        if (count > 0) {
            // shrinks a memory array to its filled length in place (no Solidity equivalent)
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(toRemove, count)
            }
            strategyManager.removeStrategiesFromDepositWhitelist(toRemove);
        }
    }

    /// @inheritdoc IStrategyFactory
    function whitelistStrategies(IStrategy[] calldata strategiesToWhitelist) external onlyOwner {
        strategyManager.addStrategiesToDepositWhitelist(strategiesToWhitelist);
    }

    /// @inheritdoc IStrategyFactory
    function removeStrategiesFromWhitelist(IStrategy[] calldata strategiesToRemoveFromWhitelist) external onlyOwner {
        strategyManager.removeStrategiesFromDepositWhitelist(strategiesToRemoveFromWhitelist);
    }
}
