// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BLSAVSRegistrar} from "../../../contracts/avs/BLSAVSRegistrar.sol";
import {BLS12381} from "../../../contracts/bls/BLS12381.sol";
import {IAppRegistry} from "../../../contracts/interfaces/IAppRegistry.sol";
import {IBLSApkRegistry} from "../../../contracts/interfaces/IBLSApkRegistry.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {ITaskMailbox} from "../../../contracts/interfaces/ITaskMailbox.sol";
import {AppRegistry} from "../../../contracts/tee/AppRegistry.sol";
import {TaskMailbox} from "../../../contracts/tee/TaskMailbox.sol";
import {BLSTestKeys} from "../bls/BLSTestKeys.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev Restaking core + a BLS registrar for compute set 0 + AppRegistry + TaskMailbox (the set's
/// slasher), with three operators whose BLS keys are real: keys and signatures are computed with the
/// EIP-2537 MSM precompiles, so certificates go through the real BLSSignatureChecker.
abstract contract ComputeTestBase is RestakingTestBase, BLSTestKeys {
    uint32 internal constant SET_ID = 0;
    uint64 internal constant UPGRADE_DELAY = 1 days;
    uint64 internal constant MAX_SLA = 1 hours;
    uint96 internal constant MIN_FEE = 0.001 ether;
    uint16 internal constant THRESHOLD_BPS = 6000;
    uint16 internal constant PROTOCOL_BPS = 2000;
    uint256 internal constant SLASH_WAD = 0.1e18;
    uint256 internal constant WRONG_RESULT_SLASH_WAD = 0.5e18;

    address internal feeJar = makeAddr("feeJar");
    address internal appOwner = makeAddr("appOwner");
    address internal creator = makeAddr("creator");
    bytes32 internal constant IMAGE = keccak256("image-v1");
    bytes32 internal constant MEASUREMENTS = keccak256("measurements-v1");

    BLSAVSRegistrar internal registrar;
    AppRegistry internal apps;
    TaskMailbox internal mailbox;
    bytes32 internal appId;

    address[3] internal ops;
    uint256[3] internal opKeys;
    uint256[3] internal sks = [uint256(0x1001), 0x2002, 0x3003];
    uint256[3] internal stakes = [uint256(100e18), 200e18, 300e18];

    function setUp() public virtual override {
        super.setUp();
        IBLSAVSRegistrar.StrategyWeight[] memory weights = new IBLSAVSRegistrar.StrategyWeight[](1);
        weights[0] = IBLSAVSRegistrar.StrategyWeight({strategy: strategy, multiplier: 1e18});
        registrar = new BLSAVSRegistrar(am, avs, SET_ID, weights);
        apps = new AppRegistry(UPGRADE_DELAY);
        mailbox = new TaskMailbox(_config());
        slasher = address(mailbox);
        _createSet(SET_ID, _strategies(strategy), false);
        vm.prank(avs);
        am.setAVSRegistrar(avs, registrar);

        address[] memory list = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            (ops[i], opKeys[i]) = makeAddrAndKey(string.concat("op", vm.toString(i)));
            list[i] = ops[i];
            _registerOperator(ops[i], 0);
            _deposit(ops[i], strategy, stakes[i]);
            _registerKey(ops[i], sks[i]);
            _registerForSet(ops[i], SET_ID);
            _allocate(ops[i], SET_ID, strategy, 0.5e18);
        }
        vm.roll(block.number + 2);
        registrar.syncStakes(list);
        vm.roll(block.number + 1);

        vm.prank(appOwner);
        appId = apps.registerApp(bytes32("salt"), IMAGE, MEASUREMENTS);
        vm.deal(creator, 100 ether);
    }

    function _config() internal view returns (ITaskMailbox.Config memory) {
        return
            ITaskMailbox.Config({
                registrar: registrar,
                appRegistry: apps,
                governance: governance,
                thresholdBps: THRESHOLD_BPS,
                protocolFeeBps: PROTOCOL_BPS,
                feeJar: feeJar,
                minTaskFee: MIN_FEE,
                maxTaskSla: MAX_SLA,
                maxReferenceAge: 100,
                missedSlaSlashWad: SLASH_WAD,
                wrongResultSlashWad: WRONG_RESULT_SLASH_WAD
            });
    }

    // BLS keys (BLSTestKeys) ----------------------------------------------------------------------------

    function _registerKey(address operator, uint256 sk) internal {
        IBLSApkRegistry keys = registrar.apkRegistry();
        BLS12381.G1Point memory pk = _pubkey(sk);
        bytes memory message = keys.pubkeyRegistrationMessage(operator, pk);
        BLS12381.G2Point memory proof = _signBytes(sk, message);
        vm.prank(operator);
        keys.registerBLSPublicKey(IBLSApkRegistry.PubkeyRegistrationParams(pk, proof));
    }

    /// @dev Aggregate signature of the operators with `signs[i]` over `msgHash`, non-signers sorted by key hash.
    function _certificate(
        bytes32 msgHash,
        uint32 referenceBlock,
        bool[3] memory signs
    ) internal view returns (IBLSSignatureChecker.NonSignerStakesAndSignature memory cert) {
        uint256 scalar;
        uint256 nonSigners;
        for (uint256 i = 0; i < 3; ++i) {
            if (signs[i]) scalar = addmod(scalar, sks[i], BLS_R);
            else ++nonSigners;
        }
        cert.nonSignerPubkeys = new BLS12381.G1Point[](nonSigners);
        bytes32[] memory hashes = new bytes32[](nonSigners);
        uint256 n;
        for (uint256 i = 0; i < 3; ++i) {
            if (signs[i]) continue;
            (BLS12381.G1Point memory pk, bytes32 h) = registrar.apkRegistry().getRegisteredPubkey(ops[i]);
            uint256 j = n++;
            while (j > 0 && hashes[j - 1] > h) {
                hashes[j] = hashes[j - 1];
                cert.nonSignerPubkeys[j] = cert.nonSignerPubkeys[j - 1];
                --j;
            }
            hashes[j] = h;
            cert.nonSignerPubkeys[j] = pk;
        }
        cert.apkIndex = registrar.apkRegistry().getApkIndexAtBlock(referenceBlock);
        cert.sigma = _signBytes(scalar, abi.encodePacked(msgHash));
    }

    // Task helpers ------------------------------------------------------------------------------------

    function _params() internal view returns (ITaskMailbox.TaskParams memory) {
        return
            ITaskMailbox.TaskParams({
                appId: appId,
                inputHash: sha256("input"),
                inputCertificateId: keccak256("input-cert"),
                sla: 10 minutes,
                refundCollector: address(0)
            });
    }

    /// @dev Params are built before the prank: sha256 is a precompile call and would consume it.
    function _createTask(uint256 fee) internal returns (bytes32) {
        ITaskMailbox.TaskParams memory p = _params();
        vm.prank(creator);
        return mailbox.createTask{value: fee}(p);
    }

    function _result() internal pure returns (ITaskMailbox.TaskResult memory) {
        return
            ITaskMailbox.TaskResult({
                outputHash: sha256("output"),
                attestationHash: keccak256("attestation"),
                outputCertificateId: keccak256("output-cert")
            });
    }

    function _allSign() internal pure returns (bool[3] memory) {
        return [true, true, true];
    }

    function _submit(bytes32 taskHash, ITaskMailbox.TaskResult memory result, bool[3] memory signs) internal {
        uint32 ref = uint32(block.number - 1);
        mailbox.submitResult(taskHash, result, ref, _certificate(mailbox.getMessageHash(taskHash, result), ref, signs));
    }
}
