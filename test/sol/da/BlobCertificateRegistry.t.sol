// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Test} from "forge-std/Test.sol";

import {BlobCertificateRegistry} from "../../../contracts/da/BlobCertificateRegistry.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IBLSSignatureChecker} from "../../../contracts/interfaces/IBLSSignatureChecker.sol";
import {IBlobCertificateRegistry} from "../../../contracts/interfaces/IBlobCertificateRegistry.sol";
import {IDAFeeDistributor} from "../../../contracts/interfaces/IDAFeeDistributor.sol";
import {BLS12381} from "../../../contracts/bls/BLS12381.sol";

/// @dev Governance, fee quotes and header checks of the BlobCertificateRegistry: everything decided before a
/// signature is looked at. Certificates with real BLS signatures are covered by DACertificateInvariants.t.sol
/// and, with signatures from the blst library, by test/ts/da/confirm-rejections.test.ts.
contract BlobCertificateRegistryTest is Test {
    uint256 internal constant BPS = 10_000;

    BlobCertificateRegistry internal registry;
    address internal governance = makeAddr("governance");
    address internal jar = makeAddr("jar");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        vm.warp(1_700_000_000);
        vm.roll(1_000);
        registry = new BlobCertificateRegistry(_config(5_500, 3_300, 1 gwei, 1 days, 2_000, jar));
    }

    function _config(
        uint16 confirmationBps,
        uint16 adversaryBps,
        uint256 perBytePeriod,
        uint64 period,
        uint16 protocolBps,
        address feeJar
    ) internal view returns (BlobCertificateRegistry.Config memory) {
        return
            BlobCertificateRegistry.Config({
                // No signature is checked in this file: a code-less registrar is enough.
                registrar: IBLSAVSRegistrar(address(0xdead)),
                governance: governance,
                confirmationThresholdBps: confirmationBps,
                adversaryThresholdBps: adversaryBps,
                maxReferenceAge: 100,
                maxTtl: 30 days,
                responseWindow: 1 hours,
                minChallengeBond: 0.01 ether,
                unavailabilitySlashWad: 0.1e18,
                feePerBytePeriod: perBytePeriod,
                periodSeconds: period,
                protocolFeeBps: protocolBps,
                feeJar: feeJar
            });
    }

    function _header(
        uint64 payloadLength,
        uint16 ratio,
        uint64 expiry
    ) internal pure returns (IBlobCertificateRegistry.BlobHeader memory) {
        return
            IBlobCertificateRegistry.BlobHeader({
                commitmentsRoot: keccak256("root"),
                payloadLength: payloadLength,
                blobCount: 1,
                codingRatio: ratio,
                expiry: expiry,
                payer: address(0xbeef),
                nonce: bytes32(0)
            });
    }

    function _noSignature() internal pure returns (IBLSSignatureChecker.NonSignerStakesAndSignature memory sig) {
        sig.nonSignerPubkeys = new BLS12381.G1Point[](0);
    }

    // Deployment ----------------------------------------------------------------------------------------

    function test_constructor_setsParametersAndGovernance() public view {
        assertEq(registry.owner(), governance);
        assertEq(registry.confirmationThresholdBps(), 5_500);
        assertEq(registry.adversaryThresholdBps(), 3_300);
        assertEq(registry.feePerBytePeriod(), 1 gwei);
        assertEq(registry.periodSeconds(), 1 days);
        assertEq(registry.protocolFeeBps(), 2_000);
        assertEq(registry.feeJar(), jar);
        assertEq(address(registry.feeDistributor()), address(0));
    }

    function test_constructor_rejectsBadThresholdsAndFees() public {
        vm.expectRevert(abi.encodeWithSelector(IBlobCertificateRegistry.InvalidThresholds.selector, 3_000, 3_000));
        new BlobCertificateRegistry(_config(3_000, 3_000, 1, 1 days, 0, jar));
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        new BlobCertificateRegistry(_config(5_500, 3_300, 1, 0, 0, jar));
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        new BlobCertificateRegistry(_config(5_500, 3_300, 1, 1 days, 100, address(0)));
        BlobCertificateRegistry.Config memory config = _config(5_500, 3_300, 1, 1 days, 0, jar);
        config.unavailabilitySlashWad = 0;
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        new BlobCertificateRegistry(config);
        config.unavailabilitySlashWad = 1e18 + 1;
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        new BlobCertificateRegistry(config);
    }

    // Thresholds ----------------------------------------------------------------------------------------

    function test_setThresholds_onlyGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.setThresholds(6_700, 3_300);
    }

    function test_setThresholds_emitsAndStores() public {
        vm.expectEmit(address(registry));
        emit IBlobCertificateRegistry.ThresholdsSet(6_700, 2_500);
        vm.prank(governance);
        registry.setThresholds(6_700, 2_500);
        assertEq(registry.confirmationThresholdBps(), 6_700);
        assertEq(registry.adversaryThresholdBps(), 2_500);
    }

    /// Valid iff 0 < adversary < confirmation <= 100%; an invalid pair leaves the old one in place.
    function testFuzz_setThresholds_validIffOrdered(uint16 confirmationBps, uint16 adversaryBps) public {
        bool valid = confirmationBps <= BPS && adversaryBps != 0 && adversaryBps < confirmationBps;
        vm.prank(governance);
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IBlobCertificateRegistry.InvalidThresholds.selector,
                    confirmationBps,
                    adversaryBps
                )
            );
        }
        registry.setThresholds(confirmationBps, adversaryBps);
        assertEq(registry.confirmationThresholdBps(), valid ? confirmationBps : 5_500);
        assertEq(registry.adversaryThresholdBps(), valid ? adversaryBps : 3_300);
    }

    // Fees ----------------------------------------------------------------------------------------------

    function test_setFees_onlyGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.setFees(2 gwei, 1 hours, 0, address(0));
    }

    function test_setFees_emitsStoresAndReprices() public {
        uint64 expiry = uint64(block.timestamp + 3 hours);
        uint256 before = registry.quoteFee(1_000, expiry);
        assertEq(before, 1_000 * 1 * 1 gwei); // one (rounded-up) day
        vm.expectEmit(address(registry));
        emit IBlobCertificateRegistry.FeesSet(2 gwei, 1 hours, 0, address(0));
        vm.prank(governance);
        registry.setFees(2 gwei, 1 hours, 0, address(0));
        assertEq(registry.feePerBytePeriod(), 2 gwei);
        assertEq(registry.periodSeconds(), 1 hours);
        assertEq(registry.protocolFeeBps(), 0);
        assertEq(registry.feeJar(), address(0));
        assertEq(registry.quoteFee(1_000, expiry), 1_000 * 3 * 2 gwei);
    }

    function test_setFees_rejectsZeroPeriodShareAboveAllAndShareWithoutJar() public {
        vm.startPrank(governance);
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        registry.setFees(1, 0, 0, jar);
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        registry.setFees(1, 1 days, uint16(BPS + 1), jar);
        vm.expectRevert(IBlobCertificateRegistry.InvalidFeeParameters.selector);
        registry.setFees(1, 1 days, 1, address(0));
        vm.stopPrank();
        assertEq(registry.feePerBytePeriod(), 1 gwei);
        assertEq(registry.feeJar(), jar);
    }

    /// The fee is bytes x whole periods (rounded up) x price, and nothing for an expiry already past.
    function testFuzz_quoteFee_roundsPeriodsUp(uint64 payloadLength, uint32 ttl, uint32 period, uint64 price) public {
        period = uint32(bound(period, 1, 30 days));
        vm.prank(governance);
        registry.setFees(price, period, 0, address(0));
        uint64 expiry = uint64(block.timestamp) + ttl;
        uint256 quoted = registry.quoteFee(payloadLength, expiry);
        if (ttl == 0) {
            assertEq(quoted, 0);
            return;
        }
        uint256 periods = (uint256(ttl) + period - 1) / period;
        assertEq(quoted, uint256(payloadLength) * periods * price);
        assertGe(periods * period, ttl);
        assertLt((periods - 1) * period, ttl);
    }

    function test_setFeeDistributor_onlyGovernanceAndEmits() public {
        IDAFeeDistributor distributor = IDAFeeDistributor(makeAddr("distributor"));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.setFeeDistributor(distributor);
        vm.expectEmit(address(registry));
        emit IBlobCertificateRegistry.FeeDistributorSet(address(distributor));
        vm.prank(governance);
        registry.setFeeDistributor(distributor);
        assertEq(address(registry.feeDistributor()), address(distributor));
    }

    function test_withdrawOperatorFees_onlyGovernanceUpToHeld() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.withdrawOperatorFees(payable(stranger), 0);
        vm.expectRevert(abi.encodeWithSelector(IBlobCertificateRegistry.InsufficientOperatorFees.selector, 1, 0));
        vm.prank(governance);
        registry.withdrawOperatorFees(payable(stranger), 1);
    }

    function test_governance_transfersInTwoSteps() public {
        address next = makeAddr("next governance");
        vm.prank(governance);
        registry.transferOwnership(next);
        assertEq(registry.owner(), governance);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.acceptOwnership();
        vm.prank(next);
        registry.acceptOwnership();
        assertEq(registry.owner(), next);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, governance));
        vm.prank(governance);
        registry.setThresholds(6_000, 3_000);
    }

    // Header checks (before any signature is read) -------------------------------------------------------

    function test_confirmBlob_rejectsEmptyOrUnsupportedHeaders() public {
        uint64 expiry = uint64(block.timestamp + 1 days);
        uint32 referenceBlock = uint32(block.number - 1);
        vm.expectRevert(IBlobCertificateRegistry.InvalidBlobHeader.selector);
        registry.confirmBlob(_header(0, 8, expiry), referenceBlock, _noSignature());
        vm.expectRevert(IBlobCertificateRegistry.InvalidBlobHeader.selector);
        registry.confirmBlob(_header(100, 3, expiry), referenceBlock, _noSignature());
        IBlobCertificateRegistry.BlobHeader memory noBlobs = _header(100, 8, expiry);
        noBlobs.blobCount = 0;
        vm.expectRevert(IBlobCertificateRegistry.InvalidBlobHeader.selector);
        registry.confirmBlob(noBlobs, referenceBlock, _noSignature());
    }

    function test_confirmBlob_rejectsExpiryOutsideTtlAndStaleReference() public {
        uint32 referenceBlock = uint32(block.number - 1);
        uint256 latest = block.timestamp + 30 days;
        vm.expectRevert(
            abi.encodeWithSelector(IBlobCertificateRegistry.InvalidExpiry.selector, uint64(block.timestamp), latest)
        );
        registry.confirmBlob(_header(100, 8, uint64(block.timestamp)), referenceBlock, _noSignature());
        vm.expectRevert(
            abi.encodeWithSelector(IBlobCertificateRegistry.InvalidExpiry.selector, uint64(latest + 1), latest)
        );
        registry.confirmBlob(_header(100, 8, uint64(latest + 1)), referenceBlock, _noSignature());
        uint32 stale = uint32(block.number - 101);
        vm.expectRevert(
            abi.encodeWithSelector(IBlobCertificateRegistry.StaleReferenceBlock.selector, stale, block.number)
        );
        registry.confirmBlob(_header(100, 8, uint64(block.timestamp + 1 days)), stale, _noSignature());
    }

    function test_confirmBlob_rejectsUnderpaymentBeforeReadingSignatures() public {
        uint64 expiry = uint64(block.timestamp + 2 days);
        uint256 fee = registry.quoteFee(100, expiry);
        assertEq(fee, 100 * 2 * 1 gwei);
        vm.deal(address(this), fee);
        vm.expectRevert(abi.encodeWithSelector(IBlobCertificateRegistry.InsufficientFee.selector, fee - 1, fee));
        registry.confirmBlob{value: fee - 1}(_header(100, 8, expiry), uint32(block.number - 1), _noSignature());
    }

    function test_certificateMessage_bindsChainRegistryIdAndReferenceBlock() public {
        bytes32 id = registry.certificateId(_header(100, 8, 5));
        bytes32 message = registry.certificateMessage(id, 7);
        assertTrue(message != registry.certificateMessage(id, 8));
        assertTrue(message != registry.certificateMessage(keccak256("other"), 7));
        BlobCertificateRegistry twin = new BlobCertificateRegistry(_config(5_500, 3_300, 1 gwei, 1 days, 0, jar));
        assertTrue(message != twin.certificateMessage(id, 7));
        vm.chainId(block.chainid + 1);
        assertTrue(message != registry.certificateMessage(id, 7));
    }
}
