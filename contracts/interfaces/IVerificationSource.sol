// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Types of a vcloud verification outcome.
interface IVerificationSourceTypes {
    /// @notice Where a piece of work stands in its AVS.
    /// - None: the source knows no such subject.
    /// - Pending: posted but not final (TEE task not yet certified, inference claim inside its window).
    /// - Verified: final and correct (TEE result certified by the attested operators, or an inference claim
    ///   that survived its challenge window).
    /// - Refuted: proven wrong (a lost challenge or re-execution mismatch); the operators were slashable.
    enum VerificationStatus {
        None,
        Pending,
        Verified,
        Refuted
    }

    /// @notice An EigenLayer-style operator set: the AVS address and the set's id within it.
    struct OperatorSet {
        address avs;
        uint32 id;
    }

    /// @notice What a verification AVS says about one subject.
    struct VerificationOutcome {
        VerificationStatus status;
        /// @dev The account that posted the work (the app or agent wallet); it decides whose result it is.
        address requester;
        /// @dev The operator set whose allocated, slashable stake stands behind the result.
        OperatorSet operatorSet;
        /// @dev Hash of the certified result (TEE output or inference receipt).
        bytes32 resultHash;
        /// @dev When the status became final (0 while None or Pending).
        uint64 decidedAt;
    }
}

/**
 * @title IVerificationSource
 * @notice Implemented by vcloud's verification AVSs (the TEE task mailbox, the inference claim AVS) so that
 * the ERC-8004 bridge (`VcloudValidator`) can turn their results into validation responses.
 * @dev `subject` is the AVS's own identifier of the work: a TEE task hash or an inference claim id.
 * Implementations must never move a subject back to None or Pending once final.
 */
interface IVerificationSource is IVerificationSourceTypes {
    /// @notice The current verification outcome of `subject`.
    function verificationOutcome(bytes32 subject) external view returns (VerificationOutcome memory outcome);
}
