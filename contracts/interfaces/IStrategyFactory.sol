// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IStrategy} from "./IStrategy.sol";

/// @title IStrategyFactory
/// @notice Deploys one StrategyBase per ERC-20 token and whitelists it in the StrategyManager
/// (EigenLayer-compatible names). Strategies are plain contracts deployed with CREATE2 (salt = token).
interface IStrategyFactory {
    /// @notice Thrown when deploying a strategy for a blacklisted token.
    error BlacklistedToken(IERC20 token);
    /// @notice Thrown when a strategy already exists for the token.
    error StrategyAlreadyExists(IERC20 token, IStrategy strategy);
    /// @notice Thrown when blacklisting a token twice.
    error AlreadyBlacklisted(IERC20 token);
    /// @notice Thrown when a token address is zero.
    error TokenAddressZero();

    /// @notice Emitted when governance blacklists a token.
    event TokenBlacklisted(IERC20 token);
    /// @notice Emitted when a strategy is deployed for `token`.
    event StrategySetForToken(IERC20 token, IStrategy strategy);

    /// @notice The strategy deployed by this factory for `token`, or zero.
    function deployedStrategies(IERC20 token) external view returns (IStrategy);

    /// @notice Whether `token` is barred from getting a strategy.
    function isBlacklisted(IERC20 token) external view returns (bool);

    /// @notice Deploys a StrategyBase for `token` (no deposit caps) and whitelists it for deposits.
    /// @dev Permissionless; reverts for blacklisted tokens and tokens that already have a strategy.
    function deployNewStrategy(IERC20 token) external returns (IStrategy newStrategy);

    /// @notice Blacklists `tokens` so no strategy can be deployed for them. Only the owner.
    function blacklistTokens(IERC20[] calldata tokens) external;

    /// @notice Whitelists strategies not deployed by this factory (e.g. the bEIGEN strategy). Only the owner.
    function whitelistStrategies(IStrategy[] calldata strategiesToWhitelist) external;

    /// @notice Removes strategies from the deposit whitelist. Only the owner.
    function removeStrategiesFromWhitelist(IStrategy[] calldata strategiesToRemoveFromWhitelist) external;
}
