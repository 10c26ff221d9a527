// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {OperatorSet} from "../libraries/OperatorSetLib.sol";
import {IDelegationManager} from "./IDelegationManager.sol";
import {IPausable} from "./IPausable.sol";
import {IShareManager} from "./IShareManager.sol";
import {ISignatureUtilsMixin} from "./ISignatureUtilsMixin.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title IStrategyManagerErrors
interface IStrategyManagerErrors {
    /// @notice Thrown when a deposit would give `staker` more than `max` strategies.
    error MaxStrategiesExceeded(address staker, uint256 max);
    /// @notice Thrown when a DelegationManager-only function is called by someone else.
    error OnlyDelegationManager(address caller);
    /// @notice Thrown when a whitelister-only function is called by someone else.
    error OnlyStrategyWhitelister(address caller);
    /// @notice Thrown when removing more deposit shares than `staker` holds.
    error SharesAmountTooHigh(uint256 requested, uint256 available);
    /// @notice Thrown when a share amount of zero is added or removed.
    error SharesAmountZero();
    /// @notice Thrown when the staker address is zero.
    error StakerAddressZero();
    /// @notice Thrown when depositing into a strategy that is not whitelisted.
    error StrategyNotWhitelisted(IStrategy strategy);
    /// @notice Thrown when the same strategy is recorded twice for one slash.
    error StrategyAlreadyInSlash(address avs, uint32 operatorSetId, uint256 slashId, IStrategy strategy);
    /// @notice Thrown when clearing a slash before its resolution delay (ELIP-016) has passed.
    error SlashResolutionDelayNotElapsed(uint256 slashId, uint32 resolutionBlock, uint256 currentBlock);
}

/// @title IStrategyManagerEvents
interface IStrategyManagerEvents {
    /// @notice Emitted when `staker` deposits and receives `shares` deposit shares in `strategy`.
    event Deposit(address staker, IStrategy strategy, uint256 shares);
    /// @notice Emitted when the DelegationManager removes `depositShares` of `staker`'s deposit shares in
    /// `strategy` (a queued withdrawal), so that indexers can follow deposit shares without reading state.
    event DepositSharesRemoved(address staker, IStrategy strategy, uint256 depositShares);
    /// @notice Emitted when the strategy whitelister changes.
    event StrategyWhitelisterChanged(address previousAddress, address newAddress);
    /// @notice Emitted when a strategy is whitelisted for deposits.
    event StrategyAddedToDepositWhitelist(IStrategy strategy);
    /// @notice Emitted when a strategy is removed from the deposit whitelist.
    event StrategyRemovedFromDepositWhitelist(IStrategy strategy);
    /// @notice Emitted when a slash records shares to burn or redistribute.
    event BurnOrRedistributableSharesIncreased(
        OperatorSet operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint256 shares
    );
    /// @notice Emitted when recorded shares are cleared (withdrawn to the recipient or burn address).
    event BurnOrRedistributableSharesDecreased(
        OperatorSet operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint256 shares
    );
    /// @notice Emitted with the tokens a clear sent, and where to.
    event BurnOrRedistributableTokensSent(
        OperatorSet operatorSet,
        uint256 slashId,
        IStrategy strategy,
        address recipient,
        uint256 amount
    );
    /// @notice Emitted on the first record of a slash: it can be cleared after `resolutionBlock`.
    event SlashResolutionBlockSet(OperatorSet operatorSet, uint256 slashId, uint32 resolutionBlock);
}

/// @title IStrategyManager
/// @notice Holds stakers' deposit shares per strategy, takes deposits (also by EIP-712 signature), and
/// accounts slashed shares per (operator set, slash id, strategy) until a permissionless clear burns or
/// redistributes them (EigenLayer-compatible, with ELIP-016's slash resolution delay).
interface IStrategyManager is
    IStrategyManagerErrors,
    IStrategyManagerEvents,
    IShareManager,
    ISignatureUtilsMixin,
    IPausable
{
    /// @notice Pulls `amount` of `token` from the caller into `strategy` and credits the deposit shares.
    /// @return depositShares The deposit shares minted.
    function depositIntoStrategy(
        IStrategy strategy,
        IERC20 token,
        uint256 amount
    ) external returns (uint256 depositShares);

    /// @notice Deposits on behalf of `staker`, who signed an EIP-712 `Deposit` message (or ERC-1271);
    /// tokens are pulled from the caller.
    /// @return depositShares The deposit shares minted to `staker`.
    function depositIntoStrategyWithSignature(
        IStrategy strategy,
        IERC20 token,
        uint256 amount,
        address staker,
        uint256 expiry,
        bytes memory signature
    ) external returns (uint256 depositShares);

    /// @notice Burns or redistributes every strategy's slashed shares of `slashId` of `operatorSet`.
    /// @dev Permissionless; only after the slash resolution delay and while not paused.
    /// @return amounts The tokens sent per strategy, in the order the strategies were recorded.
    function clearBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external returns (uint256[] memory amounts);

    /// @notice Burns or redistributes `strategy`'s slashed shares of `slashId` of `operatorSet`.
    /// @dev Permissionless; returns 0 when nothing is recorded.
    /// @return amount The tokens sent.
    function clearBurnOrRedistributableSharesByStrategy(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy
    ) external returns (uint256 amount);

    /// @notice The strategies and shares still to clear for `slashId` of `operatorSet`.
    function getBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external view returns (IStrategy[] memory strategies, uint256[] memory shares);

    /// @notice The shares of `strategy` still to clear for `slashId` of `operatorSet`.
    function getBurnOrRedistributableShares(
        OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy
    ) external view returns (uint256);

    /// @notice The number of strategies still to clear for `slashId` of `operatorSet`.
    function getBurnOrRedistributableCount(
        OperatorSet calldata operatorSet,
        uint256 slashId
    ) external view returns (uint256);

    /// @notice The operator sets that have uncleared slashes.
    function getPendingOperatorSets() external view returns (OperatorSet[] memory);

    /// @notice The uncleared slash ids of `operatorSet`.
    function getPendingSlashIds(OperatorSet calldata operatorSet) external view returns (uint256[] memory);

    /// @notice The block after which `slashId` of `operatorSet` may be cleared (0 when never recorded).
    function getSlashResolutionBlock(OperatorSet calldata operatorSet, uint256 slashId) external view returns (uint32);

    /// @notice Sets the account allowed to (un)whitelist strategies. Only the owner.
    function setStrategyWhitelister(address newStrategyWhitelister) external;

    /// @notice Whitelists strategies for deposits. Only the strategy whitelister.
    function addStrategiesToDepositWhitelist(IStrategy[] calldata strategiesToWhitelist) external;

    /// @notice Removes strategies from the deposit whitelist. Only the strategy whitelister.
    function removeStrategiesFromDepositWhitelist(IStrategy[] calldata strategiesToRemoveFromWhitelist) external;

    /// @notice Whether `strategy` accepts deposits.
    function strategyIsWhitelistedForDeposit(IStrategy strategy) external view returns (bool);

    /// @notice `staker`'s strategies and deposit shares.
    function getDeposits(address staker) external view returns (IStrategy[] memory, uint256[] memory);

    /// @notice `staker`'s strategies with non-zero deposit shares.
    function getStakerStrategyList(address staker) external view returns (IStrategy[] memory);

    /// @notice The number of strategies `staker` has deposit shares in.
    function stakerStrategyListLength(address staker) external view returns (uint256);

    /// @notice The DelegationManager this contract reports share changes to.
    function delegation() external view returns (IDelegationManager);

    /// @notice The account allowed to (un)whitelist strategies (the StrategyFactory).
    function strategyWhitelister() external view returns (address);

    /// @notice The next deposit-signature nonce of `staker`.
    function nonces(address staker) external view returns (uint256);

    /// @notice The EIP-712 digest `staker` signs to allow a deposit on their behalf.
    function calculateStrategyDepositDigestHash(
        address staker,
        IStrategy strategy,
        IERC20 token,
        uint256 amount,
        uint256 nonce,
        uint256 expiry
    ) external view returns (bytes32);

    /// @notice Blocks a slash must wait after it is recorded before it can be cleared (ELIP-016).
    function SLASH_RESOLUTION_DELAY_BLOCKS() external view returns (uint32);

    /// @notice The most strategies one staker may hold (32).
    function MAX_STAKER_STRATEGY_LIST_LENGTH() external view returns (uint8);
}
