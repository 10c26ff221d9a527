// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IVictimPayoutErrors
interface IVictimPayoutErrors {
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when the caller may not create payouts.
    error NotPayoutManager(address caller);
    /// @notice Thrown when a payout names no victims.
    error NoVictims();
    /// @notice Thrown when the victims and amounts arrays differ in length.
    error InputArrayLengthMismatch(uint256 victims, uint256 amountsOwed);
    /// @notice Thrown when a victim is owed nothing.
    error ZeroAmountOwed(address victim);
    /// @notice Thrown when a victim appears twice in one payout.
    error DuplicateVictim(address victim);
    /// @notice Thrown when a payout id does not exist.
    error UnknownPayout(uint256 payoutId);
    /// @notice Thrown when a victim has nothing (more) to claim from a payout.
    error NothingToClaim(uint256 payoutId, address victim);
}

/// @title IVictimPayoutEvents
interface IVictimPayoutEvents {
    /// @notice Emitted when a payout is created.
    event PayoutCreated(
        uint256 indexed payoutId,
        IERC20 indexed token,
        uint256 totalOwed,
        uint256 victims,
        string description
    );
    /// @notice Emitted when a victim is named in a payout.
    event VictimAdded(uint256 indexed payoutId, address indexed victim, uint256 amountOwed);
    /// @notice Emitted when unassigned tokens are assigned to a payout.
    event PayoutFunded(uint256 indexed payoutId, uint256 amount, uint256 totalFunded);
    /// @notice Emitted when a victim claims its share.
    event Claimed(uint256 indexed payoutId, address indexed victim, address to, uint256 amount);
    /// @notice Emitted when the owner allows or disallows a payout manager.
    event PayoutManagerSet(address indexed manager, bool allowed);
}

/// @title IVictimPayout
/// @notice The redistribution recipient of a redistributing operator set: it receives slashed tokens and
/// splits them among named victims in proportion to what each is owed. Claim-based: every victim pulls its
/// own share (to any address it chooses), so a victim that cannot receive never blocks the others.
/// @dev Flow: a manager creates a payout (token, victims, amounts owed); slashed tokens arrive (the
/// StrategyManager's permissionless clearing sends them here); anyone calls `fund` to assign the
/// unassigned balance to the payout, up to its total owed; victims `claim` floor(funded * owed / totalOwed)
/// minus what they already claimed. At most (victims - 1) base units of rounding dust stay in the payout.
interface IVictimPayout is IVictimPayoutErrors, IVictimPayoutEvents {
    /// @notice A payout: its token, what all victims are owed, what has been assigned and claimed.
    struct Payout {
        IERC20 token;
        uint256 totalOwed;
        uint256 funded;
        uint256 claimed;
        uint256 victims;
    }

    /// @notice Creates a payout of `token` owing `amountsOwed[i]` to `victims[i]`. Only a payout manager.
    /// @return payoutId The new payout's id (1, 2, ...).
    function createPayout(
        IERC20 token,
        address[] calldata victims,
        uint256[] calldata amountsOwed,
        string calldata description
    ) external returns (uint256 payoutId);

    /// @notice Assigns this contract's unassigned `token` balance to the payout, up to what is still
    /// unfunded. Anyone may call; returns the amount assigned (0 when nothing is available).
    function fund(uint256 payoutId) external returns (uint256 amount);

    /// @notice Sends the caller's claimable share of the payout to `to`.
    /// @return amount The tokens sent.
    function claim(uint256 payoutId, address to) external returns (uint256 amount);

    /// @notice Allows or disallows `manager` to create payouts. Only the owner.
    function setPayoutManager(address manager, bool allowed) external;

    /// @notice What `victim` can claim now from the payout.
    function claimable(uint256 payoutId, address victim) external view returns (uint256);

    /// @notice What `victim` is owed in the payout, and has claimed.
    function victimOf(uint256 payoutId, address victim) external view returns (uint256 owed, uint256 claimed);

    /// @notice The payout's totals.
    function getPayout(uint256 payoutId) external view returns (Payout memory);

    /// @notice This contract's `token` balance not yet assigned to any payout.
    function unassigned(IERC20 token) external view returns (uint256);

    /// @notice Whether `manager` may create payouts.
    function isPayoutManager(address manager) external view returns (bool);

    /// @notice The number of payouts created (the last payout id).
    function payoutCount() external view returns (uint256);
}
