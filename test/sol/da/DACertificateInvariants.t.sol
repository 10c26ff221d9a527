// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {BLSAVSRegistrar} from "../../../contracts/avs/BLSAVSRegistrar.sol";
import {BLS12381} from "../../../contracts/bls/BLS12381.sol";
import {OperatorStakeTable} from "../../../contracts/bls/OperatorStakeTable.sol";
import {BlobCertificateRegistry} from "../../../contracts/da/BlobCertificateRegistry.sol";
import {BlobElements} from "../../../contracts/da/BlobElements.sol";
import {AllocationManager} from "../../../contracts/core/AllocationManager.sol";
import {IAllocationManagerTypes} from "../../../contracts/interfaces/IAllocationManager.sol";
import {IBLSApkRegistry} from "../../../contracts/interfaces/IBLSApkRegistry.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {IBlobCertificateRegistry} from "../../../contracts/interfaces/IBlobCertificateRegistry.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {BLSTestKeys} from "../bls/BLSTestKeys.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";
import {BlobFixtures} from "./fixtures/BlobFixtures.sol";

/// @dev Drives the real BlobCertificateRegistry behind the real BLSAVSRegistrar (APK registry, stake table,
/// signature checker) and AllocationManager: certificates signed with real BLS aggregate signatures by random
/// operator subsets (and forged: wrong message or reference block, a duplicate or outside signer, a lying,
/// unsorted or non-member non-signer list, a wrong APK index, a stale reference block, under-paid, replayed),
/// operators leaving and rejoining the DA set and stakes re-synced, availability challenges against random
/// operators (signers, non-signers, non-members) with right and wrong signatory records, indices and bonds,
/// answers with the TypeScript encoder's KZG proofs (right, or a wrong value, proof, commitment or Merkle
/// path), time moving across response windows, and slashes of open challenges. Every outcome is predicted
/// from the handler's model; disagreements raise ghost flags.
contract DACertificateHandler is Test, BLSTestKeys {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant N = 4;
    uint32 internal constant SET_ID = 1;

    struct GhostCert {
        bytes32 id;
        uint32 referenceBlock;
        uint32 blobCount;
        uint64 confirmedAt;
        uint64 expiry;
        uint256 signerMask; // members at the reference block that signed
        uint256 memberMask; // members at the reference block
        uint256 signedStake;
        uint256 totalStake;
        bytes32 recordHash;
    }

    struct GhostChallenge {
        uint256 certIndex;
        uint256 op;
        uint32 blobIndex;
        uint32 elementIndex;
        uint64 deadline;
        uint96 bond;
        IBlobCertificateRegistry.ChallengeStatus status;
        uint256 answered; // successful answers seen
        uint256 slashed; // successful slashes seen
    }

    /// @dev One confirmation attempt.
    struct Attempt {
        IBlobCertificateRegistry.BlobHeader header;
        bytes32 id;
        uint32 ref; // the block the signers' set is taken at
        uint32 refArg; // the reference block passed (stale in mode 9)
        uint256 members;
        uint256 signers;
        uint256 nonSigners;
        uint256 signedStake;
        uint256 totalStake;
        bool enough;
        bool replay;
        bool forged;
        uint256 fee;
        uint256 value;
    }

    /// @notice The contracts and accounts the handler drives.
    struct Deps {
        BlobCertificateRegistry registry;
        BLSAVSRegistrar registrar;
        AllocationManager am;
        IStrategy strategy;
        address avs;
        address jar;
        address[N] ops;
        uint256[N] sks;
        uint64 deallocationDelay;
    }

    BlobCertificateRegistry public registry;
    BLSAVSRegistrar public registrar;
    IBLSApkRegistry public keys;
    OperatorStakeTable public table;
    AllocationManager public am;
    IStrategy public strategy;
    address public avs;
    address public jar;
    address public payer;
    address public challenger;
    address public anyone;
    uint64 public deallocationDelay;
    uint256 public currentTime;
    uint256 public currentBlock;

    address[N] public ops;
    uint256[N] internal _sks;
    BLS12381.G1Point[N] internal _pks;
    bytes32[N] internal _pkHashes;

    // Model of the DA set (every change is followed by a new block, so `currentBlock - 1` sees it).
    bool[N] public ghostMember;
    uint256[N] public ghostWeight;
    uint256[N] public ghostSlashableUntil;
    uint64[N] public ghostMagnitude;
    uint256[N] public ghostBondsToOperator;

    GhostCert[] internal _certs;
    IBlobCertificateRegistry.BlobHeader[] internal _headers;
    mapping(bytes32 certId => bytes32[]) internal _nonSignerHashes;
    GhostChallenge[] internal _challenges;

    uint256 public ghostFees;
    uint256 public ghostProtocolShare;
    uint256 public ghostOpenBonds;
    uint256 public ghostBondsToChallenger;

    // Ghost flags.
    bool public confirmOutcomeMismatch;
    bool public rejectedConfirmChangedState;
    bool public certificateRecordMismatch;
    bool public challengeOutcomeMismatch;
    bool public nonSignerChallenged;
    bool public respondOutcomeMismatch;
    bool public slashOutcomeMismatch;
    bool public slashedMagnitudeMismatch;
    bool public membershipOutcomeMismatch;

    // Coverage counters.
    uint256 public confirmed;
    uint256 public rejectedForgeries;
    uint256 public rejectedUnderSigned;
    uint256 public challengesOpened;
    uint256 public answers;
    uint256 public slashes;
    uint256 public voidSlashes;

    constructor(Deps memory deps) {
        registry = deps.registry;
        registrar = deps.registrar;
        keys = deps.registrar.apkRegistry();
        table = OperatorStakeTable(address(deps.registrar.stakeTable()));
        am = deps.am;
        strategy = deps.strategy;
        avs = deps.avs;
        jar = deps.jar;
        deallocationDelay = deps.deallocationDelay;
        payer = makeAddr("payer");
        challenger = makeAddr("challenger");
        anyone = makeAddr("anyone");
        for (uint256 i = 0; i < N; ++i) {
            ops[i] = deps.ops[i];
            _sks[i] = deps.sks[i];
            (_pks[i], _pkHashes[i]) = keys.getRegisteredPubkey(ops[i]);
            ghostMember[i] = keys.isMember(ops[i]);
            ghostWeight[i] = table.currentStake(ops[i]);
            ghostMagnitude[i] = am.getAllocation(ops[i], OperatorSet(avs, SET_ID), strategy).currentMagnitude;
        }
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    modifier atCurrentTime() {
        // Block-environment changes are not guaranteed to persist between fuzzed calls: re-apply them.
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    // ------------------------------------------------------------------ certificates

    /// @dev mode 0-4: honest, signed by the members in `signMask` (accepted iff their stake reaches the
    /// threshold); 5: signed over another message (other id or reference block); 6: a signer's key counted
    /// twice, or a non-signer's key added to the signature; 7: the non-signer list lies (a non-signer omitted,
    /// a signer listed, a non-member listed, or a duplicate entry); 8: a wrong APK index; 9: a stale reference
    /// block; 10: under-paid; 11: a replay of a confirmed header (signed by everyone).
    function confirm(uint256 signMask, uint256 mode, uint256 seed) external atCurrentTime {
        mode = mode % 12;
        if (mode == 11 && _headers.length == 0) return;
        if (mode == 9 && currentBlock <= registry.maxReferenceAge() + 3) return;
        Attempt memory a;
        if (mode == 11) {
            a.header = _headers[seed % _headers.length];
            signMask = (1 << N) - 1;
        } else {
            a.header = _newHeader(mode, seed);
        }
        a.ref = uint32(currentBlock - 1);
        a.refArg = mode == 9 ? uint32(currentBlock - 1 - registry.maxReferenceAge() - (seed % 3)) : a.ref;
        a.id = registry.certificateId(a.header);
        a.members = _memberMask();
        a.signers = signMask & a.members;
        a.nonSigners = a.members & ~a.signers;
        (a.signedStake, a.totalStake) = _stakeOf(a.signers, a.members);
        a.enough = a.totalStake != 0 && a.signedStake * BPS >= a.totalStake * registry.confirmationThresholdBps();
        a.replay = registry.getCertificate(a.id).confirmedAt != 0;
        a.forged = mode >= 5 && mode <= 10;
        a.fee = registry.quoteFee(a.header.payloadLength, a.header.expiry);
        a.value = a.fee + (seed % 3 == 0 ? 1 gwei : 0);
        if (mode == 10) {
            if (a.fee == 0) return;
            a.value = a.fee - 1;
        }
        IBLSSignatureChecker.NonSignerStakesAndSignature memory sig = _signature(a, mode, seed);
        bool expectOk = !a.forged && !a.replay && a.enough;
        _submit(a, sig, expectOk);
        if (registry.getCertificate(a.id).confirmedAt != 0 && !a.replay) {
            _record(a);
        } else if (expectOk) {
            confirmOutcomeMismatch = true;
        } else if (a.forged) {
            ++rejectedForgeries;
        } else if (!a.enough) {
            ++rejectedUnderSigned;
        }
    }

    function _newHeader(uint256 mode, uint256 seed) internal view returns (IBlobCertificateRegistry.BlobHeader memory) {
        uint32 blobCount = uint32(1 + (seed % 2));
        return
            IBlobCertificateRegistry.BlobHeader({
                commitmentsRoot: commitmentsRoot(blobCount),
                payloadLength: uint64(_boundPure(seed >> 8, 1, 1_000_000)),
                blobCount: blobCount,
                codingRatio: 2,
                expiry: uint64(currentTime + _boundPure(seed >> 40, 1 hours, 3 days)),
                payer: payer,
                nonce: keccak256(abi.encode("nonce", _headers.length, seed, mode))
            });
    }

    /// @dev The aggregate signature of `a.signers` over the certificate message, forged as `mode` says.
    function _signature(
        Attempt memory a,
        uint256 mode,
        uint256 seed
    ) internal view returns (IBLSSignatureChecker.NonSignerStakesAndSignature memory sig) {
        uint256 scalar = _scalar(a.signers);
        bytes32 message = registry.certificateMessage(a.id, a.refArg);
        if (mode == 5) {
            message =
                seed % 2 == 0
                    ? registry.certificateMessage(~a.id, a.ref)
                    : registry.certificateMessage(a.id, a.ref - 1);
        } else if (mode == 6) {
            // Another signer's share counted twice, or a share the APK lacks: either way not the key sum.
            scalar = addmod(scalar, _sks[seed % N], BLS_R);
        }
        sig.sigma = _signBytes(scalar, abi.encodePacked(message));
        sig.apkIndex = keys.getApkIndexAtBlock(a.ref);
        sig.nonSignerPubkeys =
            mode == 7 ? _lyingNonSigners(a.nonSigners, a.signers, a.members, seed) : _sortedKeys(a.nonSigners);
        if (mode == 8) sig.apkIndex = sig.apkIndex == 0 || seed % 2 == 0 ? sig.apkIndex + 1 : sig.apkIndex - 1;
    }

    function _submit(
        Attempt memory a,
        IBLSSignatureChecker.NonSignerStakesAndSignature memory sig,
        bool expectOk
    ) internal {
        uint64 confirmedBefore = registry.getCertificate(a.id).confirmedAt;
        uint256 registryBefore = address(registry).balance;
        uint256 jarBefore = jar.balance;
        uint256 operatorFeesBefore = registry.operatorFees();
        vm.deal(payer, a.value);
        vm.prank(payer);
        try registry.confirmBlob{value: a.value}(a.header, a.refArg, sig) returns (bytes32 confirmedId) {
            if (!expectOk || confirmedId != a.id) confirmOutcomeMismatch = true;
            if (payer.balance != a.value - a.fee) confirmOutcomeMismatch = true;
            ghostFees += a.fee;
            ghostProtocolShare += (a.fee * registry.protocolFeeBps()) / BPS;
        } catch {
            if (expectOk) confirmOutcomeMismatch = true;
            if (
                registry.getCertificate(a.id).confirmedAt != confirmedBefore ||
                address(registry).balance != registryBefore ||
                jar.balance != jarBefore ||
                registry.operatorFees() != operatorFeesBefore ||
                payer.balance != a.value
            ) rejectedConfirmChangedState = true;
        }
    }

    function _record(Attempt memory a) internal {
        bytes32[] storage hashes = _nonSignerHashes[a.id];
        BLS12381.G1Point[] memory sorted = _sortedKeys(a.nonSigners);
        for (uint256 i = 0; i < sorted.length; ++i) hashes.push(keccak256(abi.encode(sorted[i])));
        _certs.push(
            GhostCert({
                id: a.id,
                referenceBlock: a.ref,
                blobCount: a.header.blobCount,
                confirmedAt: uint64(currentTime),
                expiry: a.header.expiry,
                signerMask: a.signers,
                memberMask: a.members,
                signedStake: a.signedStake,
                totalStake: a.totalStake,
                recordHash: keccak256(abi.encodePacked(a.ref, hashes))
            })
        );
        _headers.push(a.header);
        ++confirmed;
    }

    // ------------------------------------------------------------------ availability challenges

    /// @dev A challenge of a random operator (signer or not) over a confirmed certificate. blobSeed % 5 == 4:
    /// a blob index past the certificate's; elementSeed % 8: 0-4 an index the fixtures prove (so an honest
    /// answer exists), 5-6 any index, 7 past the blob; mode % 6: 0-3 the true signatory record, 4 a record
    /// with one hash dropped or added, 5 a bond under the minimum.
    function challenge(
        uint256 certSeed,
        uint256 opSeed,
        uint256 blobSeed,
        uint256 elementSeed,
        uint256 mode
    ) external atCurrentTime {
        if (_certs.length == 0) return;
        // Mostly the newest certificate (older ones have often expired), sometimes any.
        uint256 c = certSeed % 3 == 0 ? (certSeed >> 2) % _certs.length : _certs.length - 1;
        GhostCert memory cert = _certs[c];
        uint256 op = opSeed % N;
        // Mostly a signer, so challenges get opened; sometimes anyone.
        if (opSeed % 4 != 0 && cert.signerMask != 0) {
            while (cert.signerMask & (1 << op) == 0) op = (op + 1) % N;
        }
        uint32 blobIndex = blobSeed % 5 == 4 ? cert.blobCount : uint32(blobSeed % cert.blobCount);
        uint32 elementIndex = _challengeElement(blobIndex, elementSeed);
        mode = mode % 6;
        bytes32[] memory record = _nonSignerHashes[cert.id];
        if (mode == 4) record = _lyingRecord(record, op);
        uint256 bond = registry.minChallengeBond() + _boundPure(elementSeed >> 16, 0, 1 ether);
        if (mode == 5) bond = registry.minChallengeBond() - 1;

        bool signer = cert.signerMask & (1 << op) != 0;
        bool expectOk =
            currentTime < cert.expiry &&
                mode < 4 &&
                blobIndex < cert.blobCount &&
                elementIndex < BlobElements.FIELD_ELEMENTS_PER_BLOB &&
                signer;
        uint256 countBefore = registry.challengeCount();
        vm.deal(challenger, bond);
        vm.prank(challenger);
        try registry.challengeAvailability{value: bond}(cert.id, ops[op], blobIndex, elementIndex, record) returns (
            uint256 challengeId
        ) {
            if (!signer) nonSignerChallenged = true;
            if (!expectOk || challengeId != countBefore + 1 || challengeId != _challenges.length + 1) {
                challengeOutcomeMismatch = true;
            }
            _challenges.push(
                GhostChallenge({
                    certIndex: c,
                    op: op,
                    blobIndex: blobIndex,
                    elementIndex: elementIndex,
                    deadline: uint64(currentTime + registry.responseWindow()),
                    bond: uint96(bond),
                    status: IBlobCertificateRegistry.ChallengeStatus.Open,
                    answered: 0,
                    slashed: 0
                })
            );
            ghostOpenBonds += bond;
            ++challengesOpened;
        } catch {
            if (expectOk || registry.challengeCount() != countBefore) challengeOutcomeMismatch = true;
        }
    }

    /// @dev mode % 7: 0-2 the right element and proofs (when the fixtures hold them), 3 a wrong value, 4 another
    /// element's proof, 5 the other blob's commitment (and its Merkle path), 6 a Merkle path of the wrong leaf.
    function respond(uint256 challengeSeed, uint256 mode) external atCurrentTime {
        if (_challenges.length == 0) return;
        uint256 k = _pickChallenge(challengeSeed);
        GhostChallenge memory ch = _challenges[k];
        mode = mode % 7;
        (bool known, uint256 value, bytes memory proof) = _fixture(ch.blobIndex, ch.elementIndex);
        if (!known) (, value, proof) = _fixture(0, 7); // the best a signer without the data can do
        uint32 leafIndex = ch.blobIndex;
        bytes memory commitment = _commitment(ch.blobIndex);
        uint32 blobCount = _certs[ch.certIndex].blobCount;
        if (mode == 3) value = (value + 1) % BlobElements.BLS_MODULUS;
        if (mode == 4) (, , , proof) = BlobFixtures.element((ch.elementIndex + 1) % BlobFixtures.COUNT);
        if (mode == 5) {
            leafIndex = ch.blobIndex == 0 ? 1 : 0;
            commitment = _commitment(leafIndex);
        }
        bytes32[] memory path = _merklePath(blobCount, mode == 5 ? leafIndex : ch.blobIndex);
        if (mode == 6) path = _wrongPath(blobCount);

        bool expectOk =
            ch.status == IBlobCertificateRegistry.ChallengeStatus.Open &&
                currentTime <= ch.deadline &&
                known &&
                mode <= 2;
        uint256 operatorBefore = ops[ch.op].balance;
        vm.prank(anyone);
        try registry.respondToChallenge(k + 1, commitment, path, bytes32(value), proof) {
            if (!expectOk || ops[ch.op].balance != operatorBefore + ch.bond) respondOutcomeMismatch = true;
            _challenges[k].status = IBlobCertificateRegistry.ChallengeStatus.Answered;
            ++_challenges[k].answered;
            ghostOpenBonds -= ch.bond;
            ghostBondsToOperator[ch.op] += ch.bond;
            ++answers;
        } catch {
            if (expectOk) respondOutcomeMismatch = true;
        }
    }

    /// @dev Anyone may slash an open challenge after its window: the operator loses `unavailabilitySlashWad` of
    /// its allocation (rounded up, as the AllocationManager rounds) while it is slashable, and the challenger
    /// gets the bond back.
    function slash(uint256 challengeSeed) external atCurrentTime {
        if (_challenges.length == 0) return;
        uint256 k = _pickChallenge(challengeSeed);
        GhostChallenge memory ch = _challenges[k];
        bool expectOk = ch.status == IBlobCertificateRegistry.ChallengeStatus.Open && currentTime > ch.deadline;
        bool slashable = ghostMember[ch.op] || currentBlock <= ghostSlashableUntil[ch.op];
        uint64 before = ghostMagnitude[ch.op];
        uint64 expected = before;
        if (slashable && before != 0) {
            uint256 taken = (uint256(before) * registry.unavailabilitySlashWad() + 1e18 - 1) / 1e18;
            expected = before - uint64(taken);
        }
        uint256 challengerBefore = challenger.balance;
        vm.prank(anyone);
        try registry.slashUnresponsive(k + 1) returns (uint256 slashId) {
            if (!expectOk || challenger.balance != challengerBefore + ch.bond) slashOutcomeMismatch = true;
            if ((slashId != 0) != slashable) slashOutcomeMismatch = true;
            _challenges[k].status = IBlobCertificateRegistry.ChallengeStatus.Slashed;
            ++_challenges[k].slashed;
            ghostOpenBonds -= ch.bond;
            ghostBondsToChallenger += ch.bond;
            ghostMagnitude[ch.op] = expected;
            if (_magnitude(ch.op) != expected) slashedMagnitudeMismatch = true;
            if (slashable) ++slashes;
            else ++voidSlashes;
        } catch {
            if (expectOk) slashOutcomeMismatch = true;
            if (_magnitude(ch.op) != before) slashedMagnitudeMismatch = true;
        }
    }

    // ------------------------------------------------------------------ the DA set and time

    /// @dev A member leaves the set (slashable for the deallocation delay), or a former member rejoins (only
    /// once that delay has passed).
    function toggleMembership(uint256 opSeed) external atCurrentTime {
        uint256 op = opSeed % N;
        uint32[] memory setIds = new uint32[](1);
        setIds[0] = SET_ID;
        if (ghostMember[op]) {
            vm.prank(ops[op]);
            try
                am.deregisterFromOperatorSets(
                    IAllocationManagerTypes.DeregisterParams({operator: ops[op], avs: avs, operatorSetIds: setIds})
                )
            {
                ghostMember[op] = false;
                ghostWeight[op] = 0;
                ghostSlashableUntil[op] = currentBlock + deallocationDelay;
            } catch {
                membershipOutcomeMismatch = true;
            }
        } else {
            bool expectOk = currentBlock > ghostSlashableUntil[op];
            vm.prank(ops[op]);
            try
                am.registerForOperatorSets(
                    ops[op],
                    IAllocationManagerTypes.RegisterParams({avs: avs, operatorSetIds: setIds, data: ""})
                )
            {
                if (!expectOk) membershipOutcomeMismatch = true;
                ghostMember[op] = true;
                ghostWeight[op] = registrar.currentWeight(ops[op]);
            } catch {
                if (expectOk) membershipOutcomeMismatch = true;
            }
        }
        if (keys.isMember(ops[op]) != ghostMember[op] || table.currentStake(ops[op]) != ghostWeight[op]) {
            membershipOutcomeMismatch = true;
        }
        _nextBlock();
    }

    /// @dev The keeper writes the members' current (possibly slashed) weights into the stake table.
    function syncStakes() external atCurrentTime {
        address[] memory list = new address[](N);
        for (uint256 i = 0; i < N; ++i) list[i] = ops[i];
        registrar.syncStakes(list);
        for (uint256 i = 0; i < N; ++i) {
            ghostWeight[i] = ghostMember[i] ? registrar.currentWeight(ops[i]) : 0;
            if (table.currentStake(ops[i]) != ghostWeight[i]) membershipOutcomeMismatch = true;
        }
        _nextBlock();
    }

    function warp(uint256 seconds_, uint256 blocks) external atCurrentTime {
        currentTime += _bound(seconds_, 1, 30 minutes);
        currentBlock += _bound(blocks, 1, 20);
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    /// @dev Jumps to a boundary the random walk would rarely hit: one second before, at or after a challenge's
    /// deadline or a certificate's expiry.
    function warpToBoundary(uint256 seed, uint256 which) external atCurrentTime {
        uint256 target;
        if (which % 2 == 0) {
            if (_challenges.length == 0) return;
            target = _challenges[seed % _challenges.length].deadline;
        } else {
            if (_certs.length == 0) return;
            target = _certs[seed % _certs.length].expiry;
        }
        target = target + ((which >> 1) % 3) - 1;
        if (target <= currentTime) return;
        currentTime = target;
        _nextBlock();
    }

    // ------------------------------------------------------------------ views for the invariants

    function certCount() external view returns (uint256) {
        return _certs.length;
    }

    function certAt(uint256 i) external view returns (GhostCert memory) {
        return _certs[i];
    }

    function challengeCount() external view returns (uint256) {
        return _challenges.length;
    }

    function challengeAt(uint256 i) external view returns (GhostChallenge memory) {
        return _challenges[i];
    }

    /// @notice The commitments root of a payload of `blobCount` (1 or 2) fixture blobs.
    function commitmentsRoot(uint32 blobCount) public pure returns (bytes32) {
        bytes32 a = _leaf(0);
        if (blobCount == 1) return a;
        bytes32 b = _leaf(1);
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    // ------------------------------------------------------------------ internals

    /// @dev Mostly the newest challenge (the one whose window is likeliest open), sometimes any.
    function _pickChallenge(uint256 seed) internal view returns (uint256) {
        return seed % 2 == 0 ? _challenges.length - 1 : (seed >> 1) % _challenges.length;
    }

    function _nextBlock() internal {
        currentBlock += 1;
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    function _magnitude(uint256 op) internal view returns (uint64) {
        return am.getAllocation(ops[op], OperatorSet(avs, SET_ID), strategy).currentMagnitude;
    }

    function _memberMask() internal view returns (uint256 mask) {
        for (uint256 i = 0; i < N; ++i) if (ghostMember[i]) mask |= 1 << i;
    }

    function _scalar(uint256 mask) internal view returns (uint256 scalar) {
        for (uint256 i = 0; i < N; ++i) if (mask & (1 << i) != 0) scalar = addmod(scalar, _sks[i], BLS_R);
    }

    function _stakeOf(uint256 signers, uint256 members) internal view returns (uint256 signed, uint256 total) {
        for (uint256 i = 0; i < N; ++i) {
            if (members & (1 << i) == 0) continue;
            total += ghostWeight[i];
            if (signers & (1 << i) != 0) signed += ghostWeight[i];
        }
    }

    /// @dev The keys of the operators in `mask`, ascending by key hash (as the checker requires).
    function _sortedKeys(uint256 mask) internal view returns (BLS12381.G1Point[] memory list) {
        uint256 count;
        for (uint256 i = 0; i < N; ++i) if (mask & (1 << i) != 0) ++count;
        list = new BLS12381.G1Point[](count);
        bytes32[] memory hashes = new bytes32[](count);
        uint256 n;
        for (uint256 i = 0; i < N; ++i) {
            if (mask & (1 << i) == 0) continue;
            uint256 j = n++;
            while (j > 0 && hashes[j - 1] > _pkHashes[i]) {
                hashes[j] = hashes[j - 1];
                list[j] = list[j - 1];
                --j;
            }
            hashes[j] = _pkHashes[i];
            list[j] = _pks[i];
        }
    }

    /// @dev A non-signer list that does not match the signature: a non-signer omitted (or, with none, a signer
    /// listed), a non-member listed (when there is one), or the first entry repeated.
    function _lyingNonSigners(
        uint256 nonSigners,
        uint256 signers,
        uint256 members,
        uint256 seed
    ) internal view returns (BLS12381.G1Point[] memory list) {
        uint256 kind = (seed >> 4) % 3;
        uint256 outsiders = ((1 << N) - 1) & ~members;
        if (kind == 1 && outsiders != 0) return _sortedKeys(nonSigners | _lowestBit(outsiders));
        if (kind == 2 && (nonSigners | signers) != 0) {
            BLS12381.G1Point[] memory honest = _sortedKeys(nonSigners != 0 ? nonSigners : _lowestBit(signers));
            list = new BLS12381.G1Point[](honest.length + 1);
            for (uint256 i = 0; i < honest.length; ++i) list[i + 1] = honest[i];
            list[0] = honest[0];
            return list;
        }
        if (nonSigners != 0) return _sortedKeys(nonSigners & ~_lowestBit(nonSigners));
        return _sortedKeys(_lowestBit(signers == 0 ? 1 : signers));
    }

    function _lowestBit(uint256 mask) internal pure returns (uint256) {
        return mask & (~mask + 1);
    }

    /// @dev The true record with one hash dropped, or (with none) the challenged operator's own hash added.
    function _lyingRecord(bytes32[] memory record, uint256 op) internal view returns (bytes32[] memory lie) {
        if (record.length != 0) {
            lie = new bytes32[](record.length - 1);
            for (uint256 i = 0; i < lie.length; ++i) lie[i] = record[i + 1];
        } else {
            lie = new bytes32[](1);
            lie[0] = _pkHashes[op];
        }
    }

    function _challengeElement(uint32 blobIndex, uint256 seed) internal pure returns (uint32) {
        uint256 kind = seed % 8;
        if (kind <= 4) {
            if (blobIndex == 1) return 7;
            (uint256 index, , , ) = BlobFixtures.element(kind);
            return uint32(index);
        }
        if (kind <= 6) return uint32(_boundPure(seed >> 8, 0, BlobElements.FIELD_ELEMENTS_PER_BLOB - 1));
        return uint32(BlobElements.FIELD_ELEMENTS_PER_BLOB);
    }

    function _boundPure(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }

    /// @dev The fixture value and proof of element `index` of blob `blobIndex`, when the fixtures hold one.
    function _fixture(uint32 blobIndex, uint32 index) internal pure returns (bool, uint256, bytes memory) {
        if (blobIndex == 1) {
            if (index == 7) return (true, BlobFixtures.OTHER_VALUE_7, BlobFixtures.OTHER_PROOF_7);
            return (false, 0, "");
        }
        if (blobIndex != 0) return (false, 0, "");
        for (uint256 i = 0; i < BlobFixtures.COUNT; ++i) {
            (uint256 at, , uint256 value, bytes memory proof) = BlobFixtures.element(i);
            if (at == index) return (true, value, proof);
        }
        return (false, 0, "");
    }

    function _commitment(uint32 blobIndex) internal pure returns (bytes memory) {
        return blobIndex == 0 ? BlobFixtures.COMMITMENT : BlobFixtures.OTHER_COMMITMENT;
    }

    function _leaf(uint32 blobIndex) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(blobIndex, _commitment(blobIndex)))));
    }

    function _merklePath(uint32 blobCount, uint32 blobIndex) internal pure returns (bytes32[] memory path) {
        if (blobCount == 1 || blobIndex > 1) return path;
        path = new bytes32[](1);
        path[0] = _leaf(blobIndex == 0 ? 1 : 0);
    }

    function _wrongPath(uint32 blobCount) internal pure returns (bytes32[] memory path) {
        path = new bytes32[](blobCount == 1 ? 1 : 0);
        if (blobCount == 1) path[0] = keccak256("not a sibling");
    }
}

contract DACertificateInvariantsTest is RestakingTestBase, BLSTestKeys {
    uint32 internal constant SET_ID = 1;
    uint256 internal constant BPS = 10_000;

    DACertificateHandler internal handler;
    BlobCertificateRegistry internal registry;
    BLSAVSRegistrar internal registrar;
    address internal jar = makeAddr("feeJar");
    address[4] internal ops;
    uint256[4] internal sks = [uint256(0x1001), 0x2002, 0x3003, 0x4004];

    function setUp() public override {
        super.setUp();
        vm.warp(100 days);
        IBLSAVSRegistrar.StrategyWeight[] memory weights = new IBLSAVSRegistrar.StrategyWeight[](1);
        weights[0] = IBLSAVSRegistrar.StrategyWeight({strategy: strategy, multiplier: 1e18});
        registrar = new BLSAVSRegistrar(am, avs, SET_ID, weights);
        registry = new BlobCertificateRegistry(
            BlobCertificateRegistry.Config({
                registrar: registrar,
                governance: governance,
                confirmationThresholdBps: 6667,
                adversaryThresholdBps: 3333,
                maxReferenceAge: 100,
                maxTtl: 30 days,
                responseWindow: 1 hours,
                minChallengeBond: 0.1 ether,
                unavailabilitySlashWad: 0.1e18,
                feePerBytePeriod: 1 gwei,
                periodSeconds: 1 days,
                protocolFeeBps: 2000,
                feeJar: jar
            })
        );
        slasher = address(registry); // the DA set's slasher
        _createSet(SET_ID, _strategies(strategy), false);
        vm.prank(avs);
        am.setAVSRegistrar(avs, registrar);

        address[] memory list = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            ops[i] = makeAddr(string.concat("da-op", vm.toString(i)));
            list[i] = ops[i];
            _registerOperator(ops[i], 0);
            _deposit(ops[i], strategy, (i + 1) * 100e18);
            _registerKey(ops[i], sks[i]);
            _registerForSet(ops[i], SET_ID);
            _allocate(ops[i], SET_ID, strategy, 0.5e18);
        }
        vm.roll(block.number + 2);
        registrar.syncStakes(list); // weights 50, 100, 150, 200 (e18): total 500, 333.35 needed
        vm.roll(block.number + 1);

        handler = new DACertificateHandler(
            DACertificateHandler.Deps({
                registry: registry,
                registrar: registrar,
                am: am,
                strategy: strategy,
                avs: avs,
                jar: jar,
                ops: ops,
                sks: sks,
                deallocationDelay: DEALLOCATION_DELAY
            })
        );
        targetContract(address(handler));
    }

    function _registerKey(address operator, uint256 sk) internal {
        IBLSApkRegistry keys = registrar.apkRegistry();
        BLS12381.G1Point memory pk = _pubkey(sk);
        BLS12381.G2Point memory proof = _signBytes(sk, keys.pubkeyRegistrationMessage(operator, pk));
        vm.prank(operator);
        keys.registerBLSPublicKey(IBLSApkRegistry.PubkeyRegistrationParams(pk, proof));
    }

    /// @dev The handler really confirms, rejects forgeries, challenges, answers and slashes (a fixed walk).
    function test_handlerWalkConfirmsChallengesAnswersAndSlashes() public {
        // signMask 0b1100: ops 2 and 3, 350 of 500 >= 66.67%; seed 1 gives two blobs.
        handler.confirm(0xC, 0, 1);
        handler.confirm(0x7, 0, 3); // ops 0, 1, 2: 300 of 500, too little
        for (uint256 mode = 5; mode <= 10; ++mode) handler.confirm(0xF, mode, 1 + (mode << 4));
        handler.confirm(0xF, 11, 0); // replay
        assertEq(handler.confirmed(), 1);
        assertEq(handler.rejectedUnderSigned(), 1);
        assertGe(handler.rejectedForgeries(), 6);

        handler.challenge(0, 0, 0, 0, 0); // op 0 did not sign: refused
        handler.challenge(0, 0, 0, 0, 0); // op 0 did not sign: refused
        handler.challenge(0, 2, 0, 2, 0); // op 2, blob 0, element 7: opened (1)
        handler.challenge(0, 3, 1, 0, 0); // op 3, blob 1, element 7: opened (2)
        handler.challenge(0, 3, 0, 773, 0); // op 3, blob 0, element 3: an index the fixtures lack: opened (3)
        handler.challenge(0, 3, 0, 0, 4); // lying record: refused
        handler.challenge(0, 3, 0, 0, 5); // bond too small: refused
        assertEq(handler.challengesOpened(), 3);

        handler.respond(1, 3); // wrong value
        handler.respond(1, 4); // wrong proof
        handler.respond(1, 5); // other blob's commitment
        handler.respond(1, 6); // wrong Merkle path
        handler.respond(1, 0); // answered
        handler.respond(1, 0); // twice
        handler.respond(3, 0); // answered
        handler.respond(5, 0); // no proof for that element
        handler.slash(5); // window still open
        handler.warpToBoundary(2, 2); // challenge 3's deadline exactly
        handler.slash(5); // still open at the deadline
        handler.warpToBoundary(2, 4); // one second past it
        handler.slash(1); // answered: never slashed
        handler.slash(5); // slashed
        handler.slash(5); // twice
        assertEq(handler.answers(), 2);
        assertEq(handler.slashes(), 1);
        _assertNoFlags();
        invariant_certificatesMatchTheModel();
        invariant_challengesAndSlashesFollowTheRules();
        invariant_registryHoldsFeesAndOpenBonds();
    }

    /// @dev Regression: an operator that signed, left the set and stopped being slashable could still be
    /// challenged, and `slashUnresponsive` then reverted (the AllocationManager refuses to slash it), so the
    /// challenger's bond stayed locked in the registry forever. The challenge now closes with no slash (id 0)
    /// and the bond goes back to the challenger.
    function test_slashOfAnOperatorNoLongerSlashableReturnsTheBond() public {
        handler.confirm(0xF, 0, 0); // everyone signs
        handler.toggleMembership(3); // op 3 leaves: slashable for DEALLOCATION_DELAY blocks
        for (uint256 i = 0; i < 3; ++i) handler.warp(1, 20); // 60 blocks: past DEALLOCATION_DELAY (50)
        handler.challenge(0, 3, 0, 5, 0); // op 3 signed: the challenge opens
        assertEq(handler.challengesOpened(), 1);
        handler.warpToBoundary(0, 4); // one second past the deadline
        uint256 before = handler.challenger().balance;
        uint64 magnitude = am.getAllocation(ops[3], _set(SET_ID), strategy).currentMagnitude;
        handler.slash(0);
        assertEq(uint8(registry.getChallenge(1).status), uint8(IBlobCertificateRegistry.ChallengeStatus.Slashed));
        assertEq(handler.challenger().balance, before + handler.challengeAt(0).bond);
        assertEq(am.getAllocation(ops[3], _set(SET_ID), strategy).currentMagnitude, magnitude);
        assertEq(handler.voidSlashes(), 1);
        assertEq(address(registry).balance, registry.operatorFees());
        _assertNoFlags();
    }

    function _assertNoFlags() internal view {
        assertFalse(handler.confirmOutcomeMismatch(), "confirm");
        assertFalse(handler.rejectedConfirmChangedState(), "rejected confirm changed state");
        assertFalse(handler.challengeOutcomeMismatch(), "challenge");
        assertFalse(handler.nonSignerChallenged(), "non-signer challenged");
        assertFalse(handler.respondOutcomeMismatch(), "respond");
        assertFalse(handler.slashOutcomeMismatch(), "slash");
        assertFalse(handler.slashedMagnitudeMismatch(), "magnitude");
        assertFalse(handler.membershipOutcomeMismatch(), "membership");
    }

    /// @dev A certificate is accepted iff the stake that really signed (real BLS aggregate, checked against the
    /// set's APK at the reference block) reaches the threshold and every other check passes; rejected ones
    /// change nothing; each stored certificate is the model's (stakes, reference block, signatory record) and
    /// meets the threshold; an id is confirmed once.
    function invariant_certificatesMatchTheModel() public view {
        assertFalse(handler.confirmOutcomeMismatch(), "confirm");
        assertFalse(handler.rejectedConfirmChangedState(), "rejected confirm changed state");
        uint256 threshold = registry.confirmationThresholdBps();
        for (uint256 i = 0; i < handler.certCount(); ++i) {
            DACertificateHandler.GhostCert memory g = handler.certAt(i);
            IBlobCertificateRegistry.Certificate memory c = registry.getCertificate(g.id);
            assertEq(c.confirmedAt, g.confirmedAt);
            assertEq(c.referenceBlock, g.referenceBlock);
            assertEq(c.expiry, g.expiry);
            assertEq(c.blobCount, g.blobCount);
            assertEq(c.signedStake, g.signedStake);
            assertEq(c.totalStake, g.totalStake);
            assertEq(c.signatoryRecordHash, g.recordHash);
            assertGe(uint256(c.signedStake) * BPS, uint256(c.totalStake) * threshold);
            for (uint256 j = 0; j < i; ++j) assertTrue(handler.certAt(j).id != g.id, "confirmed twice");
        }
    }

    /// @dev Only a certificate's signers can be challenged; a challenge is answered at most once, slashed at
    /// most once, never both, and the on-chain status is the model's; a slash happens only after the window of
    /// an unanswered challenge and takes exactly ceil(magnitude * unavailabilitySlashWad) of the operator's
    /// allocation (nothing once the operator is no longer slashable).
    function invariant_challengesAndSlashesFollowTheRules() public view {
        assertFalse(handler.slashOutcomeMismatch(), "slash");
        assertFalse(handler.slashedMagnitudeMismatch(), "magnitude");
        assertFalse(handler.membershipOutcomeMismatch(), "membership");
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(am.getAllocation(ops[i], _set(SET_ID), strategy).currentMagnitude, handler.ghostMagnitude(i));
        }
        assertFalse(handler.challengeOutcomeMismatch(), "challenge");
        assertFalse(handler.nonSignerChallenged(), "non-signer challenged");
        assertFalse(handler.respondOutcomeMismatch(), "respond");
        assertEq(registry.challengeCount(), handler.challengeCount());
        for (uint256 i = 0; i < handler.challengeCount(); ++i) {
            DACertificateHandler.GhostChallenge memory g = handler.challengeAt(i);
            IBlobCertificateRegistry.Challenge memory c = registry.getChallenge(i + 1);
            DACertificateHandler.GhostCert memory cert = handler.certAt(g.certIndex);
            assertEq(c.certificateId, cert.id);
            assertEq(c.operator, handler.ops(g.op));
            assertTrue(cert.signerMask & (1 << g.op) != 0, "challenged a non-signer");
            assertEq(uint8(c.status), uint8(g.status));
            assertLe(g.answered, 1);
            assertLe(g.slashed, 1);
            assertFalse(g.answered == 1 && g.slashed == 1, "answered and slashed");
        }
    }

    /// @dev The registry holds exactly the undistributed operator fees plus the bonds of open challenges; the
    /// jar holds the protocol share; answered bonds went to the operators, slashed ones back to the challenger.
    function invariant_registryHoldsFeesAndOpenBonds() public view {
        assertEq(address(registry).balance, registry.operatorFees() + handler.ghostOpenBonds());
        assertEq(jar.balance, handler.ghostProtocolShare());
        assertEq(registry.operatorFees(), handler.ghostFees() - handler.ghostProtocolShare());
        for (uint256 i = 0; i < 4; ++i) assertEq(ops[i].balance, handler.ghostBondsToOperator(i));
    }
}
