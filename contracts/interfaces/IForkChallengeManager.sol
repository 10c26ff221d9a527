// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IBackingEigen} from "./IBackingEigen.sol";

/// @title IForkChallengeManagerTypes
interface IForkChallengeManagerTypes {
    /// @notice Where a challenge stands. Open: wraps into EIGEN are frozen and forks may be created.
    enum ChallengeStatus {
        None,
        Open,
        ForkAccepted,
        Rejected,
        Expired
    }

    /// @notice A challenge: who burned how much, against which operators, with what evidence.
    /// @param challenger The account that burned the commitment; it redeems it on an accepted fork.
    /// @param token The canonical bEIGEN when the challenge was opened (the parent of its forks).
    /// @param timepoint block.timestamp of the opening block; balances are read at the end of that block.
    /// @param expiresAt After this time an unresolved challenge has expired and the old token stays canonical.
    /// @param resolved Whether governance resolved it (through the canonical fork registry).
    /// @param forkAccepted Whether the resolution made one of its forks canonical.
    /// @param commitment bEIGEN burned by the challenger (>= CPF of the supply before the burn).
    /// @param evidenceHash Hash of the evidence (e.g. a DA blob commitment hash or a task id hash).
    /// @param evidencePointer Where to find the evidence (a DA certificate, a task id, a URI).
    /// @param accused The accused operators, strictly ascending.
    struct Challenge {
        address challenger;
        IBackingEigen token;
        uint48 timepoint;
        uint48 expiresAt;
        bool resolved;
        bool forkAccepted;
        uint256 commitment;
        bytes32 evidenceHash;
        bytes evidencePointer;
        address[] accused;
    }
}

/// @title IForkChallengeManagerErrors
interface IForkChallengeManagerErrors {
    /// @notice Thrown when a challenge is opened while challenge `activeId` is still open.
    error ChallengeAlreadyOpen(uint256 activeId);
    /// @notice Thrown when a challenge names no accused operator.
    error NoAccusedOperators();
    /// @notice Thrown when the accused list is not strictly ascending (or holds address 0) at `index`.
    error AccusedNotStrictlyAscending(uint256 index, address operator);
    /// @notice Thrown when the evidence hash is zero or the pointer is empty.
    error EmptyEvidence();
    /// @notice Thrown when the burned commitment is below CPF of the bEIGEN supply.
    error CommitmentBelowCPF(uint256 commitment, uint256 required);
    /// @notice Thrown when `challengeId` does not exist.
    error ChallengeNotFound(uint256 challengeId);
    /// @notice Thrown when an action needs an open challenge and `challengeId` is in `status`.
    error ChallengeNotOpen(uint256 challengeId, IForkChallengeManagerTypes.ChallengeStatus status);
    /// @notice Thrown when someone other than the canonical fork registry resolves a challenge.
    error OnlyRegistry(address caller);
    /// @notice Thrown when CPF is zero or above 1 (WAD), or a window is zero or inconsistent.
    error InvalidParameters();
}

/// @title IForkChallengeManagerEvents
interface IForkChallengeManagerEvents {
    /// @notice A challenge was opened: wraps into EIGEN are frozen from this block until resolution.
    event ChallengeOpened(
        uint256 indexed challengeId,
        address indexed challenger,
        address token,
        uint48 timepoint,
        uint256 commitment,
        address[] accused,
        bytes32 evidenceHash,
        bytes evidencePointer
    );
    /// @notice Governance resolved a challenge (forkAccepted: one of its forks became canonical).
    event ChallengeResolved(uint256 indexed challengeId, bool forkAccepted);
}

/// @title IForkChallengeManager
/// @notice Opens intersubjective fork challenges: the challenger burns at least CPF of the bEIGEN supply,
/// names the accused operators and the evidence, freezes new wraps into EIGEN and starts the fork timeline.
interface IForkChallengeManager is
    IForkChallengeManagerTypes,
    IForkChallengeManagerErrors,
    IForkChallengeManagerEvents
{
    /// @notice Opens a challenge. Burns `commitment` of the caller's canonical bEIGEN (approve this contract
    /// first). `accused` must be strictly ascending and non-empty; the evidence must be non-empty.
    /// @return challengeId The new challenge's id (ids start at 1).
    function openChallenge(
        address[] calldata accused,
        bytes32 evidenceHash,
        bytes calldata evidencePointer,
        uint256 commitment
    ) external returns (uint256 challengeId);

    /// @notice Records governance's resolution. Only the canonical fork registry, only while open.
    function resolve(uint256 challengeId, bool forkAccepted) external;

    /// @notice The challenge `challengeId` (reverts ChallengeNotFound).
    function getChallenge(uint256 challengeId) external view returns (Challenge memory);

    /// @notice Where challenge `challengeId` stands (None for unknown ids).
    function statusOf(uint256 challengeId) external view returns (ChallengeStatus);

    /// @notice Whether `operator` is among challenge `challengeId`'s accused.
    function isAccused(uint256 challengeId, address operator) external view returns (bool);

    /// @notice The open challenge, if any: wraps into EIGEN are frozen while `open`.
    function activeChallenge() external view returns (bool open, uint256 challengeId);

    /// @notice The least commitment a challenge opened now must burn: ceil(CPF * canonical supply).
    function requiredCommitment() external view returns (uint256);

    /// @notice Number of challenges ever opened (the last id).
    function challengeCount() external view returns (uint256);

    /// @notice Commitment-per-fork, a WAD fraction of the canonical bEIGEN supply.
    function cpfWad() external view returns (uint256);

    /// @notice Seconds after opening during which forks may be created.
    function forkWindow() external view returns (uint48);

    /// @notice Seconds after opening after which an unresolved challenge expires.
    function resolutionWindow() external view returns (uint48);
}
