// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IBLSApkRegistry} from "../interfaces/IBLSApkRegistry.sol";
import {BLS12381} from "./BLS12381.sol";

/// @title BLSApkRegistry
/// @notice Keeps the BLS keys of one AVS's operators and the per-block history of the signing set's
/// aggregate key, so certificates can be checked against the set as it was at a reference block.
contract BLSApkRegistry is IBLSApkRegistry {
    using BLS12381 for BLS12381.G1Point;
    using Checkpoints for Checkpoints.Trace224;

    /// @notice Domain tag mixed into the proof-of-possession message.
    bytes32 public constant POP_DOMAIN = keccak256("vcloud.BLSApkRegistry.proofOfPossession");

    /// @notice The contract allowed to add and remove members (the AVS registrar).
    address public immutable membershipManager;

    mapping(address operator => BLS12381.G1Point) private _pubkeys;
    mapping(address operator => bytes32) private _pubkeyHashes;
    /// @inheritdoc IBLSApkRegistry
    mapping(bytes32 pubkeyHash => address operator) public pubkeyHashToOperator;
    /// @inheritdoc IBLSApkRegistry
    mapping(address operator => bool) public isMember;

    ApkUpdate[] private _apkHistory;
    mapping(address operator => Checkpoints.Trace224) private _membershipHistory;

    modifier onlyMembershipManager() {
        if (msg.sender != membershipManager) revert OnlyMembershipManager(msg.sender);
        _;
    }

    /// @param manager The AVS registrar that adds and removes operators.
    constructor(address manager) {
        membershipManager = manager;
    }

    /// @inheritdoc IBLSApkRegistry
    function registerBLSPublicKey(PubkeyRegistrationParams calldata params) external returns (bytes32 pubkeyHash) {
        BLS12381.G1Point memory pubkey = params.pubkey;
        if (_pubkeyHashes[msg.sender] != bytes32(0)) revert OperatorAlreadyHasKey(msg.sender);
        if (pubkey.isInfinity()) revert PubkeyIsInfinity();
        pubkeyHash = keccak256(abi.encode(pubkey));
        address owner = pubkeyHashToOperator[pubkeyHash];
        if (owner != address(0)) revert PubkeyAlreadyRegistered(pubkeyHash, owner);
        // The pairing check also checks that the key is in the G1 subgroup.
        BLS12381.G2Point memory message = BLS12381.hashToG2(
            _pubkeyRegistrationMessage(msg.sender, pubkey),
            BLS12381.DST_SIGNATURE
        );
        if (!BLS12381.verify(pubkey, message, params.proofOfPossession)) revert InvalidProofOfPossession(msg.sender);

        _pubkeys[msg.sender] = pubkey;
        _pubkeyHashes[msg.sender] = pubkeyHash;
        pubkeyHashToOperator[pubkeyHash] = msg.sender;
        emit NewPubkeyRegistration(msg.sender, pubkeyHash, pubkey);
    }

    /// @inheritdoc IBLSApkRegistry
    function addOperator(address operator) external onlyMembershipManager {
        if (_pubkeyHashes[operator] == bytes32(0)) revert OperatorHasNoKey(operator);
        if (isMember[operator]) revert OperatorMembershipUnchanged(operator, true);
        isMember[operator] = true;
        _membershipHistory[operator].push(uint32(block.number), 1);
        _pushApk(currentApk().add(_pubkeys[operator]));
        emit OperatorMembershipChanged(operator, true, uint32(block.number));
    }

    /// @inheritdoc IBLSApkRegistry
    function removeOperator(address operator) external onlyMembershipManager {
        if (!isMember[operator]) revert OperatorMembershipUnchanged(operator, false);
        isMember[operator] = false;
        _membershipHistory[operator].push(uint32(block.number), 0);
        _pushApk(currentApk().add(_pubkeys[operator].negate()));
        emit OperatorMembershipChanged(operator, false, uint32(block.number));
    }

    /// @inheritdoc IBLSApkRegistry
    function pubkeyRegistrationMessage(
        address operator,
        BLS12381.G1Point calldata pubkey
    ) external view returns (bytes memory) {
        return _pubkeyRegistrationMessage(operator, pubkey);
    }

    /// @inheritdoc IBLSApkRegistry
    function getRegisteredPubkey(address operator) external view returns (BLS12381.G1Point memory, bytes32) {
        return (_pubkeys[operator], _pubkeyHashes[operator]);
    }

    /// @inheritdoc IBLSApkRegistry
    function wasMemberAt(address operator, uint32 blockNumber) external view returns (bool) {
        return _membershipHistory[operator].upperLookup(blockNumber) == 1;
    }

    /// @inheritdoc IBLSApkRegistry
    function currentApk() public view returns (BLS12381.G1Point memory apk) {
        uint256 length = _apkHistory.length;
        if (length != 0) apk = _apkHistory[length - 1].apk;
    }

    /// @inheritdoc IBLSApkRegistry
    function apkHistoryLength() external view returns (uint256) {
        return _apkHistory.length;
    }

    /// @inheritdoc IBLSApkRegistry
    function apkHistory(uint256 index) external view returns (ApkUpdate memory) {
        return _apkHistory[index];
    }

    /// @inheritdoc IBLSApkRegistry
    function getApkIndexAtBlock(uint32 blockNumber) external view returns (uint256) {
        uint256 low = 0;
        uint256 high = _apkHistory.length;
        // Find the last entry with fromBlock <= blockNumber.
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (_apkHistory[mid].fromBlock <= blockNumber) low = mid + 1;
            else high = mid;
        }
        if (low == 0) revert NoApkAtBlock(blockNumber);
        return low - 1;
    }

    /// @inheritdoc IBLSApkRegistry
    function getApkAtBlock(uint32 blockNumber, uint256 index) external view returns (BLS12381.G1Point memory) {
        if (index >= _apkHistory.length) revert WrongApkIndex(index, blockNumber);
        ApkUpdate storage entry = _apkHistory[index];
        bool startsAfter = entry.fromBlock > blockNumber;
        bool supersededBefore = index + 1 < _apkHistory.length && _apkHistory[index + 1].fromBlock <= blockNumber;
        if (startsAfter || supersededBefore) revert WrongApkIndex(index, blockNumber);
        return entry.apk;
    }

    function _pushApk(BLS12381.G1Point memory apk) private {
        uint256 length = _apkHistory.length;
        uint32 current = uint32(block.number);
        // Several changes in one block collapse into one entry: the set as it stands at the block's end.
        if (length != 0 && _apkHistory[length - 1].fromBlock == current) {
            _apkHistory[length - 1].apk = apk;
        } else {
            _apkHistory.push(ApkUpdate(current, apk));
        }
    }

    function _pubkeyRegistrationMessage(
        address operator,
        BLS12381.G1Point memory pubkey
    ) private view returns (bytes memory) {
        return abi.encode(POP_DOMAIN, block.chainid, address(this), operator, pubkey);
    }
}
