// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IAppRegistry} from "../interfaces/IAppRegistry.sol";

/// @title AppRegistry
/// @notice App id -> owner, program image digest and allowed TEE measurements, with delayed upgrades.
contract AppRegistry is IAppRegistry {
    /// @inheritdoc IAppRegistry
    uint64 public immutable upgradeDelay;

    mapping(bytes32 appId => App) private _apps;
    mapping(bytes32 appId => PendingUpgrade) private _pending;
    mapping(bytes32 appId => mapping(bytes32 measurementsHash => bytes32 certificateId)) private _published;

    /// @param upgradeDelay_ Seconds an announced upgrade waits before it can be applied.
    constructor(uint64 upgradeDelay_) {
        upgradeDelay = upgradeDelay_;
    }

    modifier onlyAppOwner(bytes32 appId) {
        address owner = _apps[appId].owner;
        if (owner == address(0)) revert AppNotRegistered(appId);
        if (owner != msg.sender) revert NotAppOwner(appId, msg.sender);
        _;
    }

    /// @inheritdoc IAppRegistry
    function registerApp(bytes32 salt, bytes32 imageDigest, bytes32 measurementsHash) external returns (bytes32 appId) {
        _checkRelease(imageDigest, measurementsHash);
        appId = appIdFor(msg.sender, salt);
        if (_apps[appId].owner != address(0)) revert AppAlreadyRegistered(appId);
        _apps[appId] = App({
            owner: msg.sender,
            imageDigest: imageDigest,
            measurementsHash: measurementsHash,
            version: 1
        });
        emit AppRegistered(appId, msg.sender, imageDigest, measurementsHash);
    }

    /// @inheritdoc IAppRegistry
    function queueUpgrade(
        bytes32 appId,
        bytes32 imageDigest,
        bytes32 measurementsHash
    ) external onlyAppOwner(appId) returns (uint64 readyAt) {
        _checkRelease(imageDigest, measurementsHash);
        // upgrade delay is hours to days; seconds of proposer leeway cannot shorten it materially
        // solhint-disable-next-line not-rely-on-time
        readyAt = uint64(block.timestamp) + upgradeDelay;
        _pending[appId] = PendingUpgrade(imageDigest, measurementsHash, readyAt);
        emit UpgradeQueued(appId, imageDigest, measurementsHash, readyAt);
    }

    /// @inheritdoc IAppRegistry
    function applyUpgrade(bytes32 appId) external {
        PendingUpgrade memory upgrade = _pending[appId];
        if (upgrade.readyAt == 0) revert NoPendingUpgrade(appId);
        // upgrade delay is hours to days; seconds of proposer leeway cannot shorten it materially
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < upgrade.readyAt) revert UpgradeNotReady(appId, upgrade.readyAt);
        delete _pending[appId];
        App storage app = _apps[appId];
        app.imageDigest = upgrade.imageDigest;
        app.measurementsHash = upgrade.measurementsHash;
        uint32 version = ++app.version;
        emit AppUpgraded(appId, version, upgrade.imageDigest, upgrade.measurementsHash);
    }

    /// @inheritdoc IAppRegistry
    function cancelUpgrade(bytes32 appId) external onlyAppOwner(appId) {
        if (_pending[appId].readyAt == 0) revert NoPendingUpgrade(appId);
        delete _pending[appId];
        emit UpgradeCancelled(appId);
    }

    /// @inheritdoc IAppRegistry
    function transferAppOwnership(bytes32 appId, address newOwner) external onlyAppOwner(appId) {
        if (newOwner == address(0)) revert ZeroOwner();
        _apps[appId].owner = newOwner;
        emit AppOwnershipTransferred(appId, msg.sender, newOwner);
    }

    /// @inheritdoc IAppRegistry
    function publishMeasurements(
        bytes32 appId,
        bytes32 measurementsHash,
        bytes32 certificateId
    ) external onlyAppOwner(appId) {
        if (certificateId == bytes32(0)) revert ZeroCertificateId();
        if (measurementsHash != _apps[appId].measurementsHash && measurementsHash != _pending[appId].measurementsHash) {
            revert MeasurementsNotOfApp(appId, measurementsHash);
        }
        _published[appId][measurementsHash] = certificateId;
        emit MeasurementsPublished(appId, measurementsHash, certificateId);
    }

    /// @inheritdoc IAppRegistry
    function measurementsCertificate(bytes32 appId, bytes32 measurementsHash) external view returns (bytes32) {
        return _published[appId][measurementsHash];
    }

    /// @inheritdoc IAppRegistry
    function getApp(bytes32 appId) external view returns (App memory app) {
        app = _apps[appId];
        if (app.owner == address(0)) revert AppNotRegistered(appId);
    }

    /// @inheritdoc IAppRegistry
    function getPendingUpgrade(bytes32 appId) external view returns (PendingUpgrade memory) {
        return _pending[appId];
    }

    /// @inheritdoc IAppRegistry
    function isRegistered(bytes32 appId) external view returns (bool) {
        return _apps[appId].owner != address(0);
    }

    /// @inheritdoc IAppRegistry
    function appIdFor(address owner, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, salt));
    }

    function _checkRelease(bytes32 imageDigest, bytes32 measurementsHash) private pure {
        if (imageDigest == bytes32(0)) revert ZeroImageDigest();
        if (measurementsHash == bytes32(0)) revert ZeroMeasurementsHash();
    }
}
