// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IPausable} from "./IPausable.sol";

/// @title IStrategyErrors
interface IStrategyErrors {
    /// @notice Thrown when a function reserved to the StrategyManager is called by someone else.
    error OnlyStrategyManager(address caller);
    /// @notice Thrown when a deposit would mint zero shares (amount too small for the exchange rate).
    error NewSharesZero(uint256 amount);
    /// @notice Thrown when total shares would exceed `MAX_TOTAL_SHARES` (1e38 - 1).
    error TotalSharesExceedsMax(uint256 totalShares, uint256 maxTotalShares);
    /// @notice Thrown when a withdrawal asks for more shares than exist.
    error WithdrawalAmountExceedsTotalDeposits(uint256 amountShares, uint256 totalShares);
    /// @notice Thrown when a deposit or withdrawal names a token the strategy does not hold.
    error OnlyUnderlyingToken(address token, address underlyingToken);
    /// @notice Thrown when the per-deposit cap is set above the total cap.
    error MaxPerDepositExceedsMax(uint256 maxPerDeposit, uint256 maxTotalDeposits);
    /// @notice Thrown when a single deposit exceeds the per-deposit cap.
    error DepositExceedsMaxPerDeposit(uint256 amount, uint256 maxPerDeposit);
    /// @notice Thrown when a deposit would lift the strategy's token balance above the total cap.
    error BalanceExceedsMaxTotalDeposits(uint256 balance, uint256 maxTotalDeposits);
}

/// @title IStrategyEvents
interface IStrategyEvents {
    /// @notice The value of 1e18 shares in underlying tokens, emitted after every deposit and withdrawal.
    event ExchangeRateEmitted(uint256 rate);
    /// @notice Emitted once at construction with the underlying token and its decimals.
    event StrategyTokenSet(IERC20 token, uint8 decimals);
    /// @notice Emitted when the per-deposit cap changes.
    event MaxPerDepositUpdated(uint256 previousValue, uint256 newValue);
    /// @notice Emitted when the total deposit cap changes.
    event MaxTotalDepositsUpdated(uint256 previousValue, uint256 newValue);
}

/// @title IStrategy
/// @notice An ERC-20 vault that the StrategyManager deposits into and withdraws from. Shares are
/// accounted with virtual offsets so the first depositor cannot inflate the exchange rate
/// (EigenLayer-compatible).
interface IStrategy is IStrategyErrors, IStrategyEvents, IPausable {
    /// @notice Accounts for `amount` tokens already transferred to the strategy and returns the new shares.
    /// @dev Only the StrategyManager. Reverts when deposits are paused or a cap is exceeded.
    function deposit(IERC20 token, uint256 amount) external returns (uint256 newShares);

    /// @notice Burns `amountShares` shares and sends their value in `token` to `recipient`.
    /// @dev Only the StrategyManager. Returns the amount of tokens sent.
    function withdraw(address recipient, IERC20 token, uint256 amountShares) external returns (uint256 amountOut);

    /// @notice Hook called by the StrategyManager before it credits `shares` to `staker`.
    function beforeAddShares(address staker, uint256 shares) external;

    /// @notice Hook called by the StrategyManager before it removes `shares` from `staker`.
    function beforeRemoveShares(address staker, uint256 shares) external;

    /// @notice Underlying tokens worth `amountShares` shares (non-view variant, EigenLayer-compatible).
    function sharesToUnderlying(uint256 amountShares) external returns (uint256);

    /// @notice Shares worth `amountUnderlying` tokens (non-view variant, EigenLayer-compatible).
    function underlyingToShares(uint256 amountUnderlying) external returns (uint256);

    /// @notice Underlying tokens worth `user`'s deposit shares (non-view variant).
    function userUnderlying(address user) external returns (uint256);

    /// @notice `user`'s deposit shares in this strategy, as recorded by the StrategyManager.
    function shares(address user) external view returns (uint256);

    /// @notice Underlying tokens worth `amountShares` shares, rounding down.
    function sharesToUnderlyingView(uint256 amountShares) external view returns (uint256);

    /// @notice Shares worth `amountUnderlying` tokens, rounding down.
    function underlyingToSharesView(uint256 amountUnderlying) external view returns (uint256);

    /// @notice Underlying tokens worth `user`'s deposit shares, rounding down.
    function userUnderlyingView(address user) external view returns (uint256);

    /// @notice The token this strategy holds.
    function underlyingToken() external view returns (IERC20);

    /// @notice Total shares outstanding (deposit shares of all stakers plus slashed shares not yet cleared).
    function totalShares() external view returns (uint256);

    /// @notice A short description of the strategy.
    function explanation() external view returns (string memory);

    /// @notice Sets the per-deposit and total deposit caps (in underlying tokens). Only the unpauser (governance).
    function setTVLLimits(uint256 newMaxPerDeposit, uint256 newMaxTotalDeposits) external;

    /// @notice The per-deposit and total deposit caps, in underlying tokens.
    function getTVLLimits() external view returns (uint256 maxPerDeposit, uint256 maxTotalDeposits);
}
