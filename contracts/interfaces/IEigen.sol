// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IBackingEigen} from "./IBackingEigen.sol";
import {IForkChallengeManager} from "./IForkChallengeManager.sol";

/// @title IEigenTypes
interface IEigenTypes {
    /// @notice A wrap queued while a challenge was open: `amount` of `token` held until completed or refunded.
    struct QueuedWrap {
        address owner;
        IBackingEigen token;
        uint48 queuedAt;
        uint256 amount;
    }

    /// @notice EIGEN's backing moved from `from` to its fork `to` after challenge `challengeId`.
    struct Migration {
        IBackingEigen from;
        IBackingEigen to;
        uint48 timepoint;
        uint256 received;
    }
}

/// @title IEigenErrors
interface IEigenErrors {
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown on wrap (or completeWrap) while challenge `challengeId` is open; use queueWrap.
    error WrapsFrozen(uint256 challengeId);
    /// @notice Thrown on queueWrap while no challenge is open; use wrap.
    error WrapsNotFrozen();
    /// @notice Thrown when queued wrap `wrapId` does not exist or belongs to someone else.
    error NotWrapOwner(uint256 wrapId, address caller);
    /// @notice Thrown when queued wrap `wrapId` holds `token`, which is no longer the backing `backing`.
    error WrapTokenNotBacking(uint256 wrapId, address token, address backing);
    /// @notice Thrown when the fork's distributor paid `received` but `expected` was due (accounting bug).
    error BackingMismatch(uint256 received, uint256 expected);
    /// @notice Thrown when `account` has nothing to claim on the fork of `challengeId`.
    error NothingToClaim(address account, uint256 challengeId);
}

/// @title IEigenEvents
interface IEigenEvents {
    /// @notice `account` wrapped `amount` bEIGEN into EIGEN.
    event TokenWrapped(address indexed account, uint256 amount);
    /// @notice `account` unwrapped `amount` EIGEN into bEIGEN.
    event TokenUnwrapped(address indexed account, uint256 amount);
    /// @notice A wrap was queued while a challenge was open.
    event WrapQueued(uint256 indexed wrapId, address indexed owner, address token, uint256 amount);
    /// @notice A queued wrap was completed (EIGEN minted).
    event WrapCompleted(uint256 indexed wrapId, address indexed owner, uint256 amount);
    /// @notice A queued wrap was refunded (`forkPayout` fork tokens paid on top where it was backing).
    event WrapRefunded(
        uint256 indexed wrapId,
        address indexed owner,
        address token,
        uint256 amount,
        uint256 forkPayout
    );
    /// @notice EIGEN's backing followed the canonical fork of challenge `challengeId`.
    event BackingMigrated(uint256 indexed challengeId, address from, address to, uint256 received, uint256 owed);
    /// @notice `account` received `amount` fork tokens for EIGEN it unwrapped while the challenge was open.
    event ForkPayoutClaimed(uint256 indexed challengeId, address indexed account, uint256 amount);
}

/// @title IEigen
/// @notice EIGEN wraps the canonical bEIGEN 1:1 (solid representation: one EIGEN always redeems one unit of
/// the canonical bEIGEN). While a fork challenge is open new wraps are frozen (queueWrap instead); unwrap is
/// always possible. When governance makes a fork canonical, EIGEN's backing follows it.
interface IEigen is IERC20, IEigenTypes, IEigenErrors, IEigenEvents {
    /// @notice Wraps `amount` canonical bEIGEN (approve first) into EIGEN. Reverts WrapsFrozen during a challenge.
    function wrap(uint256 amount) external;

    /// @notice Unwraps `amount` EIGEN into canonical bEIGEN. Always possible; during a challenge the amount is
    /// recorded so the unwrapper can claim it on the fork if the fork becomes canonical.
    function unwrap(uint256 amount) external;

    /// @notice During a challenge, escrows `amount` bEIGEN as a queued wrap (approve first).
    function queueWrap(uint256 amount) external returns (uint256 wrapId);

    /// @notice Mints the EIGEN of queued wrap `wrapId` once no challenge is open and its token is still the
    /// backing. Only its owner.
    function completeWrap(uint256 wrapId) external;

    /// @notice Returns queued wrap `wrapId`'s tokens to its owner (and, if they were part of EIGEN's backing
    /// when a fork became canonical, the same amount of the fork token). Only its owner; always possible.
    function refundWrap(uint256 wrapId) external;

    /// @notice Moves EIGEN's backing to the canonical fork if it changed (also done by every wrap/unwrap).
    function followCanonicalFork() external;

    /// @notice Pays the caller fork tokens for EIGEN it unwrapped during challenge `challengeId` after its
    /// timepoint (and for wraps it had queued by the timepoint and refunded while the challenge was open),
    /// once that challenge's fork became EIGEN's backing.
    function claimUnwrappedOnFork(uint256 challengeId) external returns (uint256 amount);

    /// @notice Burns `amount` EIGEN of the caller and the same amount of backing bEIGEN.
    function burn(uint256 amount) external;

    /// @notice Burns `amount` EIGEN of `account` (spending the caller's allowance) and its backing bEIGEN.
    function burnFrom(address account, uint256 amount) external;

    /// @notice The challenge manager whose open challenge freezes wraps.
    function challengeManager() external view returns (IForkChallengeManager);

    /// @notice The bEIGEN EIGEN currently holds as backing.
    function backing() external view returns (IBackingEigen);

    /// @notice EIGEN in circulation (totalSupply() mirrors the canonical bEIGEN supply instead).
    function wrappedSupply() external view returns (uint256);

    /// @notice Backing bEIGEN that belongs to EIGEN holders: balance minus escrowed wraps and owed payouts.
    /// Invariant: backingHeld() == wrappedSupply().
    function backingHeld() external view returns (uint256);

    /// @notice Queued wrap `wrapId`.
    function getQueuedWrap(uint256 wrapId) external view returns (QueuedWrap memory);

    /// @notice EIGEN `account` unwrapped during challenge `challengeId` after its timepoint, not yet claimed.
    function unwrappedDuring(uint256 challengeId, address account) external view returns (uint256);

    /// @notice The migration that followed challenge `challengeId`'s fork (zeroed if none).
    function migrationOf(uint256 challengeId) external view returns (Migration memory);
}
