// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IVerificationSource} from "../interfaces/IVerificationSource.sol";

/**
 * @title TestVerificationSource
 * @notice FOR TESTS AND THE DEVNET ONLY. A small optimistic verification source that follows the
 * `IVerificationSource` rules until vcloud's TEE and inference AVSs implement the interface themselves:
 * anyone posts a claim (result hash + the operator set that stands behind it); an arbiter may refute it
 * while its challenge window is open; a claim that survives the window is verified.
 */
contract TestVerificationSource is IVerificationSource {
    struct Claim {
        address requester;
        OperatorSet operatorSet;
        bytes32 resultHash;
        uint64 windowEnd;
        uint64 refutedAt;
    }

    /// @dev The subject was already posted.
    error ClaimExists(bytes32 subject);
    /// @dev The subject was never posted.
    error ClaimNotFound(bytes32 subject);
    /// @dev Only the arbiter may refute.
    error NotArbiter(address caller);
    /// @dev The claim's challenge window has closed (or it was already refuted).
    error ChallengeWindowClosed(bytes32 subject, uint64 windowEnd);

    /// @notice A claim was posted.
    event ClaimPosted(bytes32 indexed subject, address indexed requester, bytes32 resultHash, uint64 windowEnd);
    /// @notice A claim was proven wrong.
    event ClaimRefuted(bytes32 indexed subject);

    /// @notice The account allowed to refute claims (stands in for a challenge game).
    address public immutable arbiter;
    /// @notice How long a claim can be refuted, in seconds.
    uint64 public immutable challengeWindow;

    mapping(bytes32 subject => Claim) private _claims;

    constructor(address arbiter_, uint64 challengeWindow_) {
        arbiter = arbiter_;
        challengeWindow = challengeWindow_;
    }

    /// @notice Posts a claim on behalf of the caller (the requester).
    function post(bytes32 subject, bytes32 resultHash, OperatorSet calldata operatorSet) external {
        if (_claims[subject].requester != address(0)) revert ClaimExists(subject);
        uint64 windowEnd = uint64(block.timestamp) + challengeWindow;
        _claims[subject] = Claim(msg.sender, operatorSet, resultHash, windowEnd, 0);
        emit ClaimPosted(subject, msg.sender, resultHash, windowEnd);
    }

    /// @notice Refutes a claim inside its window (arbiter only).
    function refute(bytes32 subject) external {
        if (msg.sender != arbiter) revert NotArbiter(msg.sender);
        Claim storage claim = _claims[subject];
        if (claim.requester == address(0)) revert ClaimNotFound(subject);
        if (claim.refutedAt != 0 || block.timestamp >= claim.windowEnd) {
            revert ChallengeWindowClosed(subject, claim.windowEnd);
        }
        claim.refutedAt = uint64(block.timestamp);
        emit ClaimRefuted(subject);
    }

    /// @inheritdoc IVerificationSource
    function verificationOutcome(bytes32 subject) external view returns (VerificationOutcome memory outcome) {
        Claim storage claim = _claims[subject];
        if (claim.requester == address(0)) return outcome;
        outcome.requester = claim.requester;
        outcome.operatorSet = claim.operatorSet;
        outcome.resultHash = claim.resultHash;
        if (claim.refutedAt != 0) {
            outcome.status = VerificationStatus.Refuted;
            outcome.decidedAt = claim.refutedAt;
        } else if (block.timestamp >= claim.windowEnd) {
            outcome.status = VerificationStatus.Verified;
            outcome.decidedAt = claim.windowEnd;
        } else {
            outcome.status = VerificationStatus.Pending;
        }
    }
}
