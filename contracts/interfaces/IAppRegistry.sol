// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IAppRegistry
/// @notice Apps of vcloud's TEE compute: an app id names the program image (the bundle digest) and the
/// set of TEE measurements its workers may run under. The owner changes either only through an upgrade
/// that is announced first and applies after a delay, so task creators see a change coming.
interface IAppRegistry {
    /// @notice A registered app. `measurementsHash` is keccak256 of the allowed measurement set as the
    /// off-chain verifier policy encodes it (keepers/tee); `version` counts applied releases from 1.
    struct App {
        address owner;
        bytes32 imageDigest;
        bytes32 measurementsHash;
        uint32 version;
    }

    /// @notice An announced upgrade; `readyAt` is the earliest time it can be applied (0: none pending).
    struct PendingUpgrade {
        bytes32 imageDigest;
        bytes32 measurementsHash;
        uint64 readyAt;
    }

    /// @notice Thrown when registering an app id that is already taken.
    error AppAlreadyRegistered(bytes32 appId);
    /// @notice Thrown when the app id is not registered.
    error AppNotRegistered(bytes32 appId);
    /// @notice Thrown when `caller` is not the app's owner.
    error NotAppOwner(bytes32 appId, address caller);
    /// @notice Thrown when the image digest is zero.
    error ZeroImageDigest();
    /// @notice Thrown when the measurement set hash is zero (no TEE could ever run the app).
    error ZeroMeasurementsHash();
    /// @notice Thrown when transferring ownership to the zero address.
    error ZeroOwner();
    /// @notice Thrown when applying or cancelling an upgrade while none is pending.
    error NoPendingUpgrade(bytes32 appId);
    /// @notice Thrown when applying an upgrade before its delay has passed.
    error UpgradeNotReady(bytes32 appId, uint64 readyAt);
    /// @notice Thrown when publishing a measurement set that is neither the app's current nor its pending one.
    error MeasurementsNotOfApp(bytes32 appId, bytes32 measurementsHash);
    /// @notice Thrown when publishing with a zero DA certificate id.
    error ZeroCertificateId();

    /// @notice Emitted when an app is registered.
    event AppRegistered(bytes32 indexed appId, address indexed owner, bytes32 imageDigest, bytes32 measurementsHash);
    /// @notice Emitted when an upgrade is announced.
    event UpgradeQueued(bytes32 indexed appId, bytes32 imageDigest, bytes32 measurementsHash, uint64 readyAt);
    /// @notice Emitted when an announced upgrade is withdrawn.
    event UpgradeCancelled(bytes32 indexed appId);
    /// @notice Emitted when an upgrade takes effect.
    event AppUpgraded(bytes32 indexed appId, uint32 version, bytes32 imageDigest, bytes32 measurementsHash);
    /// @notice Emitted when the owner publishes where a measurement set of the app is stored on DA.
    event MeasurementsPublished(bytes32 indexed appId, bytes32 indexed measurementsHash, bytes32 certificateId);
    /// @notice Emitted when an app changes owner.
    event AppOwnershipTransferred(bytes32 indexed appId, address indexed previousOwner, address indexed newOwner);

    /// @notice Registers an app owned by the caller; its id is `appIdFor(msg.sender, salt)`.
    function registerApp(bytes32 salt, bytes32 imageDigest, bytes32 measurementsHash) external returns (bytes32 appId);

    /// @notice Announces a new image digest and measurement set; replaces a pending one. Only the owner.
    function queueUpgrade(
        bytes32 appId,
        bytes32 imageDigest,
        bytes32 measurementsHash
    ) external returns (uint64 readyAt);

    /// @notice Applies the pending upgrade once its delay has passed. Anyone may call.
    function applyUpgrade(bytes32 appId) external;

    /// @notice Withdraws the pending upgrade. Only the owner.
    function cancelUpgrade(bytes32 appId) external;

    /// @notice Hands the app to `newOwner`. Only the owner.
    function transferAppOwnership(bytes32 appId, address newOwner) external;

    /// @notice Publishes the DA certificate (BlobCertificateRegistry id) holding the app's measurement set
    /// `measurementsHash` (its current or pending one), so that dispatchers and executors without the set
    /// fetch it and check it against the hash (keepers/tee/measurements.ts). Only the owner; republishing
    /// replaces the pointer (e.g. after the blob's TTL).
    function publishMeasurements(bytes32 appId, bytes32 measurementsHash, bytes32 certificateId) external;

    /// @notice The DA certificate id published for the app's measurement set `measurementsHash` (0: none).
    function measurementsCertificate(bytes32 appId, bytes32 measurementsHash) external view returns (bytes32);

    /// @notice The app (reverts with AppNotRegistered if unknown).
    function getApp(bytes32 appId) external view returns (App memory);

    /// @notice The pending upgrade (zeroed if none).
    function getPendingUpgrade(bytes32 appId) external view returns (PendingUpgrade memory);

    /// @notice Whether the app id is registered.
    function isRegistered(bytes32 appId) external view returns (bool);

    /// @notice keccak256(abi.encode(owner, salt)).
    function appIdFor(address owner, bytes32 salt) external pure returns (bytes32);

    /// @notice Seconds between announcing and applying an upgrade.
    function upgradeDelay() external view returns (uint64);
}
