// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPauserRegistry} from "../interfaces/IPauserRegistry.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {Pausable} from "../permissions/Pausable.sol";

/// @title StrategyBase
/// @notice An ERC-20 vault for one token. The StrategyManager transfers tokens in and calls `deposit`, and
/// calls `withdraw` to pay stakers or burn/redistribute slashed shares. Shares are priced with virtual offsets
/// (1e3 shares, 1e3 tokens) so a first depositor cannot inflate the share price by donating tokens.
/// Optional deposit caps (per deposit and total) are set by governance (the pauser registry's unpauser).
/// @dev Extend through the hooks: `_beforeDeposit`, `_beforeWithdrawal`, `_afterWithdrawal` (e.g. the bEIGEN
/// strategy accepts EIGEN and unwraps it). Fee-on-transfer and rebasing tokens are not supported.
contract StrategyBase is IStrategy, Pausable {
    using SafeERC20 for IERC20;

    /// @notice Pause flag index for deposits.
    uint8 public constant PAUSED_DEPOSITS = 0;
    /// @notice Pause flag index for withdrawals.
    uint8 public constant PAUSED_WITHDRAWALS = 1;

    /// @notice Virtual shares added to `totalShares` when pricing (inflation-attack protection).
    uint256 public constant SHARES_OFFSET = 1e3;
    /// @notice Virtual tokens added to the balance when pricing (inflation-attack protection).
    uint256 public constant BALANCE_OFFSET = 1e3;
    /// @notice Upper bound on total shares, so `shares * depositScalingFactor` fits in uint256.
    uint256 public constant MAX_TOTAL_SHARES = 1e38 - 1;

    /// @notice The StrategyManager, the only account that may deposit and withdraw.
    IStrategyManager public immutable strategyManager;

    /// @inheritdoc IStrategy
    IERC20 public immutable underlyingToken;

    /// @inheritdoc IStrategy
    uint256 public totalShares;

    uint256 private _maxPerDeposit;
    uint256 private _maxTotalDeposits;

    modifier onlyStrategyManager() {
        if (msg.sender != address(strategyManager)) revert OnlyStrategyManager(msg.sender);
        _;
    }

    /// @param strategyManager_ The StrategyManager.
    /// @param pauserRegistry_ The shared pauser registry.
    /// @param underlyingToken_ The token this strategy holds.
    constructor(
        IStrategyManager strategyManager_,
        IPauserRegistry pauserRegistry_,
        IERC20 underlyingToken_
    ) Pausable(pauserRegistry_) {
        if (address(strategyManager_) == address(0) || address(underlyingToken_) == address(0)) {
            revert InputAddressZero();
        }
        strategyManager = strategyManager_;
        underlyingToken = underlyingToken_;
        _maxPerDeposit = type(uint256).max;
        _maxTotalDeposits = type(uint256).max;
        emit StrategyTokenSet(underlyingToken_, _decimals(underlyingToken_));
    }

    /// @inheritdoc IStrategy
    function deposit(
        IERC20 token,
        uint256 amount
    ) external virtual onlyStrategyManager onlyWhenNotPaused(PAUSED_DEPOSITS) returns (uint256 newShares) {
        _beforeDeposit(token, amount);
        uint256 priorTotalShares = totalShares;
        // The tokens are already here: price against the balance before they arrived.
        uint256 virtualPriorBalance = _tokenBalance() + BALANCE_OFFSET - amount;
        newShares = (amount * (priorTotalShares + SHARES_OFFSET)) / virtualPriorBalance;
        if (newShares == 0) revert NewSharesZero(amount);
        uint256 newTotal = priorTotalShares + newShares;
        if (newTotal > MAX_TOTAL_SHARES) revert TotalSharesExceedsMax(newTotal, MAX_TOTAL_SHARES);
        totalShares = newTotal;
        _emitExchangeRate(newTotal);
    }

    /// @inheritdoc IStrategy
    function withdraw(
        address recipient,
        IERC20 token,
        uint256 amountShares
    ) external virtual onlyStrategyManager onlyWhenNotPaused(PAUSED_WITHDRAWALS) returns (uint256 amountOut) {
        _beforeWithdrawal(recipient, token, amountShares);
        uint256 priorTotalShares = totalShares;
        if (amountShares > priorTotalShares) {
            revert WithdrawalAmountExceedsTotalDeposits(amountShares, priorTotalShares);
        }
        amountOut = ((_tokenBalance() + BALANCE_OFFSET) * amountShares) / (priorTotalShares + SHARES_OFFSET);
        totalShares = priorTotalShares - amountShares;
        _afterWithdrawal(recipient, token, amountOut);
        _emitExchangeRate(priorTotalShares - amountShares);
    }

    /// @inheritdoc IStrategy
    function beforeAddShares(address, uint256) external virtual onlyStrategyManager {}

    /// @inheritdoc IStrategy
    function beforeRemoveShares(address, uint256) external virtual onlyStrategyManager {}

    /// @inheritdoc IStrategy
    function setTVLLimits(uint256 newMaxPerDeposit, uint256 newMaxTotalDeposits) external onlyUnpauser {
        if (newMaxPerDeposit > newMaxTotalDeposits) {
            revert MaxPerDepositExceedsMax(newMaxPerDeposit, newMaxTotalDeposits);
        }
        emit MaxPerDepositUpdated(_maxPerDeposit, newMaxPerDeposit);
        emit MaxTotalDepositsUpdated(_maxTotalDeposits, newMaxTotalDeposits);
        _maxPerDeposit = newMaxPerDeposit;
        _maxTotalDeposits = newMaxTotalDeposits;
    }

    /// @inheritdoc IStrategy
    function getTVLLimits() external view returns (uint256, uint256) {
        return (_maxPerDeposit, _maxTotalDeposits);
    }

    /// @inheritdoc IStrategy
    function sharesToUnderlying(uint256 amountShares) external view virtual returns (uint256) {
        return sharesToUnderlyingView(amountShares);
    }

    /// @inheritdoc IStrategy
    function underlyingToShares(uint256 amountUnderlying) external view virtual returns (uint256) {
        return underlyingToSharesView(amountUnderlying);
    }

    /// @inheritdoc IStrategy
    function userUnderlying(address user) external view virtual returns (uint256) {
        return sharesToUnderlyingView(shares(user));
    }

    /// @inheritdoc IStrategy
    function userUnderlyingView(address user) external view virtual returns (uint256) {
        return sharesToUnderlyingView(shares(user));
    }

    /// @inheritdoc IStrategy
    function explanation() external pure virtual returns (string memory) {
        return "Base strategy: holds one ERC-20 token, shares priced with 1e3 virtual shares and tokens.";
    }

    /// @inheritdoc IStrategy
    function shares(address user) public view virtual returns (uint256) {
        return strategyManager.stakerDepositShares(user, IStrategy(address(this)));
    }

    /// @inheritdoc IStrategy
    function sharesToUnderlyingView(uint256 amountShares) public view virtual returns (uint256) {
        return ((_tokenBalance() + BALANCE_OFFSET) * amountShares) / (totalShares + SHARES_OFFSET);
    }

    /// @inheritdoc IStrategy
    function underlyingToSharesView(uint256 amountUnderlying) public view virtual returns (uint256) {
        return (amountUnderlying * (totalShares + SHARES_OFFSET)) / (_tokenBalance() + BALANCE_OFFSET);
    }

    /// @dev Checks the token and the caps. The tokens are already in the strategy's balance.
    function _beforeDeposit(IERC20 token, uint256 amount) internal virtual {
        if (token != underlyingToken) revert OnlyUnderlyingToken(address(token), address(underlyingToken));
        if (amount > _maxPerDeposit) revert DepositExceedsMaxPerDeposit(amount, _maxPerDeposit);
        uint256 balance = _tokenBalance();
        if (balance > _maxTotalDeposits) revert BalanceExceedsMaxTotalDeposits(balance, _maxTotalDeposits);
    }

    /// @dev Checks the token before shares are burned.
    function _beforeWithdrawal(address, IERC20 token, uint256) internal virtual {
        if (token != underlyingToken) revert OnlyUnderlyingToken(address(token), address(underlyingToken));
    }

    /// @dev Sends `amountToSend` tokens to `recipient`.
    function _afterWithdrawal(address recipient, IERC20 token, uint256 amountToSend) internal virtual {
        token.safeTransfer(recipient, amountToSend);
    }

    /// @dev The strategy's balance of the underlying token.
    function _tokenBalance() internal view virtual returns (uint256) {
        return underlyingToken.balanceOf(address(this));
    }

    function _emitExchangeRate(uint256 newTotalShares) internal {
        emit ExchangeRateEmitted(((_tokenBalance() + BALANCE_OFFSET) * 1e18) / (newTotalShares + SHARES_OFFSET));
    }

    function _decimals(IERC20 token) private view returns (uint8) {
        try IERC20Metadata(address(token)).decimals() returns (uint8 d) {
            return d;
        } catch {
            return 18;
        }
    }
}
