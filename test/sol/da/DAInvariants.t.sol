// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";

import {BLSAVSRegistrar} from "../../../contracts/avs/BLSAVSRegistrar.sol";
import {BlobCertificateRegistry} from "../../../contracts/da/BlobCertificateRegistry.sol";
import {DAFeeDistributor} from "../../../contracts/da/DAFeeDistributor.sol";
import {FeeJar} from "../../../contracts/fees/FeeJar.sol";
import {ProtocolFee} from "../../../contracts/fees/ProtocolFee.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {IBlobCertificateRegistry} from "../../../contracts/interfaces/IBlobCertificateRegistry.sol";
import {IDAFeeDistributor} from "../../../contracts/interfaces/IDAFeeDistributor.sol";
import {IProtocolFee} from "../../../contracts/interfaces/IProtocolFee.sol";
import {IRewardsCoordinatorTypes} from "../../../contracts/interfaces/IRewardsCoordinator.sol";
import {RewardsCoordinator} from "../../../contracts/rewards/RewardsCoordinator.sol";
import {WrappedEther} from "../../../contracts/tokens/WrappedEther.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev Stands in for the DA set's BLS aggregation behind the real registry (as in InferenceClaims.t.sol):
/// it reports the configured signed/total stake for the one message it was told was signed and reverts
/// otherwise. Real BLS certificates are exercised end to end in test/ts/bls.test.ts and the DA network test;
/// this suite fuzzes the registry's and the distributor's fee, period and expiry accounting.
contract DACommitteeDouble {
    bytes32 public signedMessage;
    uint256 public signed;
    uint256 public total;

    error NotSigned(bytes32 message);

    function set(bytes32 message, uint256 signed_, uint256 total_) external {
        (signedMessage, signed, total) = (message, signed_, total_);
    }

    function signatureChecker() external view returns (address) {
        return address(this);
    }

    function checkSignatures(
        bytes32 msgHash,
        uint32,
        IBLSSignatureChecker.NonSignerStakesAndSignature calldata
    ) external view returns (IBLSSignatureChecker.StakeTotals memory totals, bytes32) {
        if (msgHash != signedMessage) revert NotSigned(msgHash);
        return (IBLSSignatureChecker.StakeTotals(signed, total), bytes32(0));
    }
}

/// @dev Drives random DA fee flows: certificates confirmed (well paid, over-paid with a refund, under-paid,
/// under-signed, replayed) with random sizes and TTLs, time and blocks moving across fee periods, the
/// distributor set and unset by governance, periods distributed to the DA operators (right, wrong-sum and
/// non-member splits, too early, twice), undistributable periods reclaimed, and operator fees held while no
/// distributor was set withdrawn. Every outcome is predicted from the handler's model; disagreements raise
/// ghost flags.
contract DAFeesHandler is Test, IRewardsCoordinatorTypes {
    uint256 internal constant BPS = 10_000;
    uint32 internal constant DAY = 1 days;

    struct GhostCert {
        bytes32 id;
        uint64 confirmedAt;
        uint64 expiry;
    }

    BlobCertificateRegistry public registry;
    DAFeeDistributor public dist;
    DACommitteeDouble public committee;
    RewardsCoordinator public rc;
    WrappedEther public weth;
    address public jar;
    address public governance;
    address public keeper;
    address public payer;
    address public reclaimTo;
    address public outsider;
    address[] public operators; // DA set members, ascending
    uint256 public currentTime;
    uint256 public currentBlock;

    GhostCert[] internal _certs;
    IBlobCertificateRegistry.BlobHeader[] internal _headers;
    uint64[] public touchedPeriods;
    mapping(uint64 period => bool) internal _touched;
    mapping(uint64 period => uint256) public ghostAccrued;
    mapping(uint64 period => bool) public ghostPaid;

    uint256 public ghostFeesCharged;
    uint256 public ghostProtocolShare;
    uint256 public ghostAccruedTotal;
    uint256 public ghostOperatorFeesHeld;
    uint256 public ghostOperatorFeesWithdrawn;
    uint256 public ghostDistributedTotal;
    uint256 public ghostReclaimedTotal;
    bool public distributorSet = true;

    // Ghost flags.
    bool public confirmOutcomeMismatch;
    bool public payerChargedWrongAmount;
    bool public availabilityMismatch;
    bool public distributeOutcomeMismatch;
    bool public periodPaidTwice;
    bool public reclaimOutcomeMismatch;
    bool public withdrawOutcomeMismatch;

    uint256 public confirmed;
    uint256 public distributions;
    uint256 public reclaims;

    /// @notice The contracts and accounts the handler drives.
    struct Deps {
        BlobCertificateRegistry registry;
        DAFeeDistributor dist;
        DACommitteeDouble committee;
        RewardsCoordinator rc;
        WrappedEther weth;
        address jar;
        address governance;
        address keeper;
        address outsider;
        address[] operators;
    }

    constructor(Deps memory deps) {
        registry = deps.registry;
        dist = deps.dist;
        committee = deps.committee;
        rc = deps.rc;
        weth = deps.weth;
        jar = deps.jar;
        governance = deps.governance;
        keeper = deps.keeper;
        outsider = deps.outsider;
        operators = deps.operators;
        payer = makeAddr("payer");
        reclaimTo = makeAddr("reclaimTo");
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    modifier atCurrentTime() {
        // Block-environment changes are not guaranteed to persist between fuzzed calls: re-apply them.
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
        _checkAvailability();
    }

    // ------------------------------------------------------------------ actions

    /// @dev mode 0/1: a good confirmation (1 over-pays and gets the excess back); 2: under-paid; 3: signed by
    /// too little stake; 4: replay of an already confirmed header.
    function confirm(uint256 lengthSeed, uint256 ttlSeed, uint256 mode, uint256 overpay) external atCurrentTime {
        mode = mode % 5;
        IBlobCertificateRegistry.BlobHeader memory header;
        if (mode == 4) {
            if (_headers.length == 0) return;
            header = _headers[lengthSeed % _headers.length];
        } else {
            header = IBlobCertificateRegistry.BlobHeader({
                commitmentsRoot: keccak256(abi.encode("commitments", _headers.length, lengthSeed)),
                payloadLength: uint64(_bound(lengthSeed, 1, 4_000_000)),
                blobCount: 1,
                codingRatio: 2,
                expiry: uint64(currentTime + _bound(ttlSeed, 1, 30 days)),
                payer: payer,
                nonce: keccak256(abi.encode(_headers.length, mode))
            });
        }
        uint256 fee = registry.quoteFee(header.payloadLength, header.expiry);
        uint256 value = fee;
        if (mode == 1) value += _bound(overpay, 1, 1 ether);
        if (mode == 2) {
            if (fee == 0) return;
            value = fee - 1;
        }
        bool replay = registry.getCertificate(registry.certificateId(header)).confirmedAt != 0;
        _confirm(header, fee, value, mode <= 1 && header.expiry > currentTime && !replay, mode == 3 ? 66 : 70);
    }

    function _confirm(
        IBlobCertificateRegistry.BlobHeader memory header,
        uint256 fee,
        uint256 value,
        bool expectOk,
        uint256 signedStake
    ) internal {
        bytes32 id = registry.certificateId(header);
        uint32 referenceBlock = uint32(currentBlock - 1);
        committee.set(registry.certificateMessage(id, referenceBlock), signedStake, 100);
        vm.deal(payer, value);
        IBLSSignatureChecker.NonSignerStakesAndSignature memory noSig;
        vm.prank(payer);
        try registry.confirmBlob{value: value}(header, referenceBlock, noSig) returns (bytes32 confirmedId) {
            if (!expectOk || confirmedId != id) confirmOutcomeMismatch = true;
            if (value - payer.balance != fee) payerChargedWrongAmount = true;
            _recordFee(fee);
            _certs.push(GhostCert(id, uint64(currentTime), header.expiry));
            _headers.push(header);
            ++confirmed;
        } catch {
            if (expectOk) confirmOutcomeMismatch = true;
        }
    }

    function warp(uint256 seconds_, uint256 blocks) external atCurrentTime {
        currentTime += _bound(seconds_, 1, 3 days);
        currentBlock += _bound(blocks, 1, 50);
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    /// @dev Jumps to a boundary the random walk would rarely hit: a certificate's expiry (one second before,
    /// at, or after it), or a period's end or its reclaim time (one second before or at it).
    function warpToBoundary(uint256 seed, uint256 which) external atCurrentTime {
        uint256 target;
        if (which % 2 == 0) {
            if (_certs.length == 0) return;
            target = uint256(_certs[seed % _certs.length].expiry) + (which % 6) / 2 - 1;
        } else {
            uint256 start = uint256(_pickPeriod(seed)) * DAY;
            uint256 boundary = (which / 2) % 2 == 0 ? start + DAY : start + rc.MAX_RETROACTIVE_LENGTH() + 1;
            target = boundary - ((which / 4) % 2);
        }
        if (target <= currentTime) return;
        currentTime = target;
        currentBlock += 1;
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    /// @dev mode 0 and 1: an exact split over the members; 2: a split one wei short; 3: a non-member included.
    function distribute(uint256 periodSeed, uint256 splitSeed, uint256 mode) external atCurrentTime {
        uint64 period = _pickPeriod(periodSeed);
        mode = mode % 4;
        uint256 accrued = ghostAccrued[period];
        OperatorReward[] memory rewards = _split(accrued, splitSeed, mode == 0 ? 0 : mode - 1);
        uint256 start = uint256(period) * DAY;
        bool expectOk =
            mode <= 1 &&
                !ghostPaid[period] &&
                accrued > 0 &&
                currentTime >= start + DAY &&
                start + rc.MAX_RETROACTIVE_LENGTH() >= currentTime; // the coordinator refuses older submissions
        uint256 fundedBefore = rc.totalFunded(weth);
        vm.prank(keeper);
        try dist.distribute(period, rewards) {
            if (ghostPaid[period]) periodPaidTwice = true;
            if (!expectOk) distributeOutcomeMismatch = true;
            if (rc.totalFunded(weth) - fundedBefore != accrued) distributeOutcomeMismatch = true;
            ghostPaid[period] = true;
            ghostDistributedTotal += accrued;
            ++distributions;
        } catch {
            if (expectOk) distributeOutcomeMismatch = true;
        }
        // Nobody but the distributor account may distribute.
        vm.prank(outsider);
        try dist.distribute(period, rewards) {
            distributeOutcomeMismatch = true;
        } catch {}
    }

    function reclaim(uint256 periodSeed) external atCurrentTime {
        uint64 period = _pickPeriod(periodSeed);
        uint256 accrued = ghostAccrued[period];
        bool expectOk =
            !ghostPaid[period] && accrued > 0 && currentTime >= uint256(period) * DAY + rc.MAX_RETROACTIVE_LENGTH() + 1;
        uint256 before = reclaimTo.balance;
        vm.prank(governance);
        try dist.reclaimUndistributable(period, payable(reclaimTo)) {
            if (ghostPaid[period]) periodPaidTwice = true;
            if (!expectOk || reclaimTo.balance - before != accrued) reclaimOutcomeMismatch = true;
            ghostPaid[period] = true;
            ghostReclaimedTotal += accrued;
            ++reclaims;
        } catch {
            if (expectOk) reclaimOutcomeMismatch = true;
        }
    }

    function toggleDistributor() external atCurrentTime {
        distributorSet = !distributorSet;
        vm.prank(governance);
        registry.setFeeDistributor(distributorSet ? IDAFeeDistributor(address(dist)) : IDAFeeDistributor(address(0)));
    }

    function withdrawOperatorFees(uint256 amount) external atCurrentTime {
        amount = _bound(amount, 0, ghostOperatorFeesHeld + 1);
        bool expectOk = amount <= ghostOperatorFeesHeld;
        vm.prank(governance);
        try registry.withdrawOperatorFees(payable(reclaimTo), amount) {
            if (!expectOk) withdrawOutcomeMismatch = true;
            ghostOperatorFeesHeld -= amount;
            ghostOperatorFeesWithdrawn += amount;
        } catch {
            if (expectOk) withdrawOutcomeMismatch = true;
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function touchedPeriodCount() external view returns (uint256) {
        return touchedPeriods.length;
    }

    function certCount() external view returns (uint256) {
        return _certs.length;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Independent fee split: protocol share floor(fee * 2000 / 10000) to the jar, the rest accrues to the
    /// current period (distributor set) or is held by the registry (none set).
    function _recordFee(uint256 fee) internal {
        uint256 protocolShare = (fee * registry.protocolFeeBps()) / BPS;
        uint256 signersShare = fee - protocolShare;
        ghostFeesCharged += fee;
        ghostProtocolShare += protocolShare;
        if (!distributorSet) {
            ghostOperatorFeesHeld += signersShare;
            return;
        }
        uint64 period = uint64(currentTime / DAY);
        if (signersShare == 0) return;
        ghostAccrued[period] += signersShare;
        ghostAccruedTotal += signersShare;
        if (!_touched[period]) {
            _touched[period] = true;
            touchedPeriods.push(period);
        }
    }

    /// @dev Mostly a period that accrued fees; sometimes the current period or one that accrued nothing.
    function _pickPeriod(uint256 seed) internal view returns (uint64) {
        uint64 nowPeriod = uint64(currentTime / DAY);
        if (touchedPeriods.length == 0 || seed % 5 == 0) return nowPeriod - uint64(seed % 3);
        return touchedPeriods[seed % touchedPeriods.length];
    }

    /// @dev Members' parts are each at least 1 wei (the coordinator refuses zero rewards) and sum to `amount`
    /// (mode 0), to one wei less (mode 1), or include a non-member (mode 2).
    function _split(uint256 amount, uint256 seed, uint256 mode) internal view returns (OperatorReward[] memory list) {
        uint256 left = mode == 1 ? (amount == 0 ? 0 : amount - 1) : amount;
        uint256 members = left >= operators.length ? operators.length : 1;
        list = new OperatorReward[](mode == 2 ? members + 1 : members);
        for (uint256 i = 0; i < members; ++i) {
            uint256 after_ = members - i - 1; // members still to be paid, 1 wei each at least
            uint256 part =
                after_ == 0 ? left : 1 + _bound(uint256(keccak256(abi.encode(seed, i))), 0, left - 1 - after_);
            list[i] = OperatorReward({operator: operators[i], amount: part});
            left -= part;
        }
        if (mode == 2) list[members] = OperatorReward({operator: outsider, amount: 1});
    }

    /// @dev A certificate is available exactly from its confirmation until (excluding) its expiry; ids never
    /// confirmed are never available.
    function _checkAvailability() internal {
        for (uint256 i = 0; i < _certs.length; ++i) {
            GhostCert memory c = _certs[i];
            bool expected = currentTime >= c.confirmedAt && currentTime < c.expiry;
            if (registry.isAvailable(c.id) != expected) availabilityMismatch = true;
        }
        if (registry.isAvailable(keccak256(abi.encode("never confirmed", _certs.length)))) {
            availabilityMismatch = true;
        }
    }
}

contract DAInvariantsTest is RestakingTestBase {
    uint32 internal constant DAY = 1 days;

    DAFeesHandler internal handler;
    BlobCertificateRegistry internal registry;
    DAFeeDistributor internal dist;
    RewardsCoordinator internal rc;
    WrappedEther internal weth;
    FeeJar internal jar;
    address internal keeper = makeAddr("keeper");
    address internal outsider = makeAddr("outsider");

    function setUp() public override {
        super.setUp();
        vm.warp(100 * DAY + 5);
        _createSet(1, _strategies(strategy), false);
        address[] memory ops = new address[](3);
        ops[0] = makeAddr("op-a");
        ops[1] = makeAddr("op-b");
        ops[2] = makeAddr("op-c");
        // ascending, as the coordinator requires
        for (uint256 i = 0; i < 3; ++i)
            for (uint256 j = i + 1; j < 3; ++j) if (ops[j] < ops[i]) (ops[i], ops[j]) = (ops[j], ops[i]);
        for (uint256 i = 0; i < 3; ++i) _operatorInSet(ops[i], (i + 1) * 100e18, 1, 0.5e18);
        _registerOperator(outsider, 0);
        vm.roll(block.number + 1);

        jar = new FeeJar(governance, address(0));
        rc = new RewardsCoordinator(
            governance,
            makeAddr("updater"),
            IRewardsCoordinatorTypes.RewardsCoordinatorParams({
                allocationManager: am,
                protocolFee: IProtocolFee(address(new ProtocolFee(governance, address(jar), 2000))),
                calculationIntervalSeconds: DAY,
                maxRewardsDuration: 70 * DAY,
                maxRetroactiveLength: 30 * DAY,
                maxFutureLength: 30 * DAY,
                activationDelay: 1 hours,
                operatorSplitDelay: 7 * DAY
            })
        );
        weth = new WrappedEther();
        IBLSAVSRegistrar.StrategyWeight[] memory weights = new IBLSAVSRegistrar.StrategyWeight[](1);
        weights[0] = IBLSAVSRegistrar.StrategyWeight({strategy: strategy, multiplier: 1e18});
        BLSAVSRegistrar registrar = new BLSAVSRegistrar(am, avs, 1, weights);
        DACommitteeDouble committee = new DACommitteeDouble();
        registry = new BlobCertificateRegistry(
            BlobCertificateRegistry.Config({
                registrar: IBLSAVSRegistrar(address(committee)),
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
                feeJar: address(jar)
            })
        );
        dist = new DAFeeDistributor(
            DAFeeDistributor.Config({
                governance: governance,
                registry: address(registry),
                registrar: registrar,
                rewardsCoordinator: rc,
                weth: weth,
                distributor: keeper,
                periodSeconds: DAY
            })
        );
        vm.prank(avs);
        rc.setRewardsSubmitter(address(dist), true);
        vm.prank(governance);
        registry.setFeeDistributor(dist);

        handler = new DAFeesHandler(
            DAFeesHandler.Deps({
                registry: registry,
                dist: dist,
                committee: committee,
                rc: rc,
                weth: weth,
                jar: address(jar),
                governance: governance,
                keeper: keeper,
                outsider: outsider,
                operators: ops
            })
        );
        targetContract(address(handler));
    }

    /// @dev The handler really confirms, distributes, reclaims and withdraws (a fixed walk).
    function test_handlerWalkConfirmsDistributesAndReclaims() public {
        handler.confirm(1000, 2 days, 0, 0);
        handler.confirm(5000, 1 hours, 1, 0.5 ether);
        handler.confirm(5000, 1 hours, 2, 0); // under-paid
        handler.confirm(5000, 1 hours, 3, 0); // under-signed
        handler.confirm(0, 0, 4, 0); // replay
        handler.warp(1 days, 1);
        handler.distribute(1, 7, 2); // one wei short
        handler.distribute(1, 7, 3); // non-member
        handler.distribute(1, 7, 0);
        handler.distribute(1, 7, 0); // twice
        handler.toggleDistributor();
        handler.confirm(2000, 3 days, 0, 0);
        handler.withdrawOperatorFees(1);
        handler.toggleDistributor();
        handler.confirm(3000, 3 days, 0, 0);
        for (uint256 i = 0; i < 11; ++i) handler.warp(3 days, 1);
        handler.reclaim(2); // period 0 of the record, already distributed: refused although the distributor holds enough for it
        handler.reclaim(1); // the period of the last confirmation, now past the coordinator's retroactive bound
        assertEq(handler.confirmed(), 4);
        assertEq(handler.distributions(), 1);
        assertEq(handler.reclaims(), 1);
        assertEq(handler.ghostOperatorFeesWithdrawn(), 1);
        _assertNoFlags();
        invariant_feesChargedEqualJarPlusSignersShare();
        invariant_distributorHoldsExactlyTheUnpaidPeriods();
    }

    function _assertNoFlags() internal view {
        assertFalse(handler.confirmOutcomeMismatch(), "confirm");
        assertFalse(handler.payerChargedWrongAmount(), "charged");
        assertFalse(handler.availabilityMismatch(), "availability");
        assertFalse(handler.distributeOutcomeMismatch(), "distribute");
        assertFalse(handler.periodPaidTwice(), "paid twice");
        assertFalse(handler.reclaimOutcomeMismatch(), "reclaim");
        assertFalse(handler.withdrawOutcomeMismatch(), "withdraw");
    }

    /// @dev Fees charged == protocol share in the jar + signers' share (accrued to periods or held by the
    /// registry while no distributor was set, including what governance withdrew of it); the payer is
    /// charged exactly the quoted fee (excess refunded).
    function invariant_feesChargedEqualJarPlusSignersShare() public view {
        assertEq(address(jar).balance, handler.ghostProtocolShare());
        assertEq(
            handler.ghostFeesCharged(),
            address(jar).balance +
                handler.ghostAccruedTotal() +
                registry.operatorFees() +
                handler.ghostOperatorFeesWithdrawn()
        );
        assertEq(registry.operatorFees(), handler.ghostOperatorFeesHeld());
        // No challenges here: the registry holds exactly the operator fees kept while no distributor was set.
        assertEq(address(registry).balance, registry.operatorFees());
        assertFalse(handler.payerChargedWrongAmount(), "charged");
        assertFalse(handler.confirmOutcomeMismatch(), "confirm");
        assertFalse(handler.withdrawOutcomeMismatch(), "withdraw");
    }

    /// @dev The distributor's ETH == the sum of accrued over periods not yet paid; each period's on-chain
    /// record matches the model; paid periods went as WETH to the coordinator or back to governance's
    /// recipient, and accrued == distributed + reclaimed + still held.
    function invariant_distributorHoldsExactlyTheUnpaidPeriods() public view {
        uint256 unpaid;
        for (uint256 i = 0; i < handler.touchedPeriodCount(); ++i) {
            uint64 period = handler.touchedPeriods(i);
            IDAFeeDistributor.PeriodFees memory fees = dist.periodFees(period);
            assertEq(fees.accrued, handler.ghostAccrued(period));
            assertEq(fees.distributed, handler.ghostPaid(period));
            if (!fees.distributed) unpaid += fees.accrued;
        }
        assertEq(address(dist).balance, unpaid);
        assertEq(handler.ghostAccruedTotal(), handler.ghostDistributedTotal() + handler.ghostReclaimedTotal() + unpaid);
        assertEq(rc.totalFunded(weth), handler.ghostDistributedTotal());
        assertEq(weth.balanceOf(address(rc)), handler.ghostDistributedTotal());
        assertEq(address(weth).balance, weth.totalSupply());
    }

    /// @dev A period is paid (distributed or reclaimed) at most once, and only when the model allows it.
    function invariant_periodPaidAtMostOnce() public view {
        assertFalse(handler.periodPaidTwice(), "paid twice");
        assertFalse(handler.distributeOutcomeMismatch(), "distribute");
        assertFalse(handler.reclaimOutcomeMismatch(), "reclaim");
    }

    /// @dev A certificate is available only between its confirmation and its expiry.
    function invariant_certificateAvailableOnlyUntilExpiry() public view {
        assertFalse(handler.availabilityMismatch());
    }
}
