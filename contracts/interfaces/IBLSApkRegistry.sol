// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BLS12381} from "../bls/BLS12381.sol";

/// @title IBLSApkRegistry
/// @notice BLS12-381 public keys of one AVS's operators, registered with a proof of possession, and the
/// history of the aggregate public key (APK) of the operators currently in the set.
interface IBLSApkRegistry {
    /// @notice A public key and its proof of possession: a signature by the key over
    /// `pubkeyRegistrationMessage(operator, pubkey)`, which binds the key to the operator, this registry
    /// and this chain (stops rogue-key attacks and replays).
    struct PubkeyRegistrationParams {
        BLS12381.G1Point pubkey;
        BLS12381.G2Point proofOfPossession;
    }

    /// @notice One entry of the APK history: the aggregate key from `fromBlock` on.
    struct ApkUpdate {
        uint32 fromBlock;
        BLS12381.G1Point apk;
    }

    /// @notice Thrown when the operator already registered a key.
    error OperatorAlreadyHasKey(address operator);
    /// @notice Thrown when another operator already registered the same key.
    error PubkeyAlreadyRegistered(bytes32 pubkeyHash, address owner);
    /// @notice Thrown when the key is the point at infinity.
    error PubkeyIsInfinity();
    /// @notice Thrown when the proof of possession does not verify.
    error InvalidProofOfPossession(address operator);
    /// @notice Thrown when an operator without a registered key joins the set.
    error OperatorHasNoKey(address operator);
    /// @notice Thrown when an operator joins the set twice or leaves it when not in it.
    error OperatorMembershipUnchanged(address operator, bool isMember);
    /// @notice Thrown when a caller other than the membership manager changes the set.
    error OnlyMembershipManager(address caller);
    /// @notice Thrown when no APK entry covers the requested block.
    error NoApkAtBlock(uint32 blockNumber);
    /// @notice Thrown when the given APK index does not cover the requested block.
    error WrongApkIndex(uint256 index, uint32 blockNumber);

    /// @notice Emitted when an operator registers its key.
    event NewPubkeyRegistration(address indexed operator, bytes32 indexed pubkeyHash, BLS12381.G1Point pubkey);
    /// @notice Emitted when an operator joins (`added`) or leaves the signing set.
    event OperatorMembershipChanged(address indexed operator, bool added, uint32 blockNumber);

    /// @notice Registers the caller's BLS key after checking its proof of possession.
    function registerBLSPublicKey(PubkeyRegistrationParams calldata params) external returns (bytes32 pubkeyHash);

    /// @notice Adds `operator` to the signing set (its key joins the APK). Only the membership manager
    /// (the AVS registrar, called back when the operator registers for the operator set).
    function addOperator(address operator) external;

    /// @notice Removes `operator` from the signing set. Only the membership manager.
    function removeOperator(address operator) external;

    /// @notice The message an operator's key must sign to prove possession.
    function pubkeyRegistrationMessage(
        address operator,
        BLS12381.G1Point calldata pubkey
    ) external view returns (bytes memory);

    /// @notice The operator's key and its hash (keccak256 of the 128-byte encoding); zero if none.
    function getRegisteredPubkey(address operator) external view returns (BLS12381.G1Point memory, bytes32);

    /// @notice The operator that registered the key with this hash, or zero.
    function pubkeyHashToOperator(bytes32 pubkeyHash) external view returns (address);

    /// @notice Whether the operator is in the signing set now.
    function isMember(address operator) external view returns (bool);

    /// @notice Whether the operator was in the signing set at the end of `blockNumber`.
    function wasMemberAt(address operator, uint32 blockNumber) external view returns (bool);

    /// @notice The current aggregate key of the signing set.
    function currentApk() external view returns (BLS12381.G1Point memory);

    /// @notice Number of entries in the APK history.
    function apkHistoryLength() external view returns (uint256);

    /// @notice APK history entry `index`.
    function apkHistory(uint256 index) external view returns (ApkUpdate memory);

    /// @notice The index of the APK history entry in force at `blockNumber` (binary search); verifiers
    /// take it as a hint and check it with `getApkAtBlock`.
    function getApkIndexAtBlock(uint32 blockNumber) external view returns (uint256);

    /// @notice The APK at `blockNumber`, given the index of the entry in force then (checked).
    function getApkAtBlock(uint32 blockNumber, uint256 index) external view returns (BLS12381.G1Point memory);
}
