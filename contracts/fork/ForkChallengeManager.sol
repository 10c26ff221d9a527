// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IBackingEigen} from "../interfaces/IBackingEigen.sol";
import {ICanonicalForkRegistry} from "../interfaces/ICanonicalForkRegistry.sol";
import {IForkChallengeManager} from "../interfaces/IForkChallengeManager.sol";

/// @title ForkChallengeManager
/// @notice Opens intersubjective fork challenges. A challenger burns at least CPF of the canonical bEIGEN
/// supply, names the accused operators and the evidence; from that block new wraps into EIGEN are frozen and
/// the fork timeline runs: forks within `forkWindow`, resolution by governance before `resolutionWindow`.
/// @dev One challenge is open at a time: each costs CPF of the supply, so spamming is expensive, and a
/// single open challenge keeps the wrap freeze and EIGEN's fork accounting unambiguous.
contract ForkChallengeManager is IForkChallengeManager {
    uint256 internal constant WAD = 1e18;

    /// @notice The canonical fork registry: supplies the canonical token and resolves challenges.
    ICanonicalForkRegistry public immutable registry;
    /// @inheritdoc IForkChallengeManager
    uint256 public immutable cpfWad;
    /// @inheritdoc IForkChallengeManager
    uint48 public immutable forkWindow;
    /// @inheritdoc IForkChallengeManager
    uint48 public immutable resolutionWindow;

    /// @inheritdoc IForkChallengeManager
    uint256 public challengeCount;
    mapping(uint256 challengeId => Challenge) private _challenges;
    mapping(uint256 challengeId => mapping(address operator => bool)) private _accused;

    /// @param registry_ The canonical fork registry.
    /// @param cpfWad_ Commitment-per-fork, WAD fraction of supply, in (0, 1].
    /// @param forkWindow_ Seconds after opening during which forks may be created (> 0).
    /// @param resolutionWindow_ Seconds after opening before an unresolved challenge expires (> forkWindow_).
    constructor(ICanonicalForkRegistry registry_, uint256 cpfWad_, uint48 forkWindow_, uint48 resolutionWindow_) {
        if (cpfWad_ == 0 || cpfWad_ > WAD || forkWindow_ == 0 || resolutionWindow_ <= forkWindow_) {
            revert InvalidParameters();
        }
        registry = registry_;
        cpfWad = cpfWad_;
        forkWindow = forkWindow_;
        resolutionWindow = resolutionWindow_;
    }

    /// @inheritdoc IForkChallengeManager
    function openChallenge(
        address[] calldata accused,
        bytes32 evidenceHash,
        bytes calldata evidencePointer,
        uint256 commitment
    ) external returns (uint256 challengeId) {
        (bool open, uint256 activeId) = activeChallenge();
        if (open) revert ChallengeAlreadyOpen(activeId);
        if (accused.length == 0) revert NoAccusedOperators();
        if (evidenceHash == bytes32(0) || evidencePointer.length == 0) revert EmptyEvidence();
        IBackingEigen token = registry.canonicalToken();
        uint256 required = _requiredCommitment(token);
        if (commitment < required || commitment == 0) revert CommitmentBelowCPF(commitment, required);

        challengeId = ++challengeCount;
        Challenge storage c = _challenges[challengeId];
        _recordAccused(challengeId, accused);
        c.challenger = msg.sender;
        c.token = token;
        // the challenge timepoint is the snapshot clock (ERC-6372 timestamps); the resolution window lasts days
        // solhint-disable-next-line not-rely-on-time
        c.timepoint = uint48(block.timestamp);
        // the challenge timepoint is the snapshot clock (ERC-6372 timestamps); the resolution window lasts days
        // solhint-disable-next-line not-rely-on-time
        c.expiresAt = uint48(block.timestamp) + resolutionWindow;
        c.commitment = commitment;
        c.evidenceHash = evidenceHash;
        c.evidencePointer = evidencePointer;
        c.accused = accused;
        _emitOpened(challengeId, c);

        token.burnFrom(msg.sender, commitment);
    }

    /// @inheritdoc IForkChallengeManager
    function resolve(uint256 challengeId, bool forkAccepted) external {
        if (msg.sender != address(registry)) revert OnlyRegistry(msg.sender);
        ChallengeStatus status = statusOf(challengeId);
        if (status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId, status);
        Challenge storage c = _challenges[challengeId];
        c.resolved = true;
        c.forkAccepted = forkAccepted;
        emit ChallengeResolved(challengeId, forkAccepted);
    }

    /// @inheritdoc IForkChallengeManager
    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        if (challengeId == 0 || challengeId > challengeCount) revert ChallengeNotFound(challengeId);
        return _challenges[challengeId];
    }

    /// @inheritdoc IForkChallengeManager
    function statusOf(uint256 challengeId) public view returns (ChallengeStatus) {
        if (challengeId == 0 || challengeId > challengeCount) return ChallengeStatus.None;
        Challenge storage c = _challenges[challengeId];
        if (c.resolved) return c.forkAccepted ? ChallengeStatus.ForkAccepted : ChallengeStatus.Rejected;
        // the challenge timepoint is the snapshot clock (ERC-6372 timestamps); the resolution window lasts days
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp >= c.expiresAt) return ChallengeStatus.Expired;
        return ChallengeStatus.Open;
    }

    /// @inheritdoc IForkChallengeManager
    function isAccused(uint256 challengeId, address operator) external view returns (bool) {
        return _accused[challengeId][operator];
    }

    /// @inheritdoc IForkChallengeManager
    function activeChallenge() public view returns (bool open, uint256 challengeId) {
        challengeId = challengeCount;
        open = statusOf(challengeId) == ChallengeStatus.Open;
        if (!open) challengeId = 0;
    }

    /// @inheritdoc IForkChallengeManager
    function requiredCommitment() external view returns (uint256) {
        return _requiredCommitment(registry.canonicalToken());
    }

    function _recordAccused(uint256 challengeId, address[] calldata accused) internal {
        address previous = address(0);
        for (uint256 i = 0; i < accused.length; ++i) {
            address operator = accused[i];
            if (operator <= previous) revert AccusedNotStrictlyAscending(i, operator);
            _accused[challengeId][operator] = true;
            previous = operator;
        }
    }

    function _emitOpened(uint256 challengeId, Challenge storage c) internal {
        emit ChallengeOpened(
            challengeId,
            c.challenger,
            address(c.token),
            c.timepoint,
            c.commitment,
            c.accused,
            c.evidenceHash,
            c.evidencePointer
        );
    }

    function _requiredCommitment(IBackingEigen token) internal view returns (uint256) {
        return Math.mulDiv(cpfWad, token.totalSupply(), WAD, Math.Rounding.Ceil);
    }
}
