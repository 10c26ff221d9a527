// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {BLSAVSRegistrar} from "../../../contracts/avs/BLSAVSRegistrar.sol";
import {DAFeeDistributor} from "../../../contracts/da/DAFeeDistributor.sol";
import {FeeJar} from "../../../contracts/fees/FeeJar.sol";
import {ProtocolFee} from "../../../contracts/fees/ProtocolFee.sol";
import {IBLSAVSRegistrar} from "../../../contracts/interfaces/IBLSAVSRegistrar.sol";
import {IDAFeeDistributor} from "../../../contracts/interfaces/IDAFeeDistributor.sol";
import {IProtocolFee} from "../../../contracts/interfaces/IProtocolFee.sol";
import {
    IRewardsCoordinator,
    IRewardsCoordinatorErrors,
    IRewardsCoordinatorTypes
} from "../../../contracts/interfaces/IRewardsCoordinator.sol";
import {IWrappedEther} from "../../../contracts/interfaces/IWrappedEther.sol";
import {RewardsCoordinator} from "../../../contracts/rewards/RewardsCoordinator.sol";
import {WrappedEther} from "../../../contracts/tokens/WrappedEther.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

/// @dev Receives ETH by calling back into WETH (reentrancy probe) or refuses it.
contract EtherRefuser {
    function unwrap(IWrappedEther weth, uint256 amount) external {
        weth.withdraw(amount);
    }
}

contract DAFeeDistributorTest is RestakingTestBase, IRewardsCoordinatorTypes {
    uint32 internal constant DAY = 1 days;
    uint32 internal constant RETRO = 30 days;
    address internal registryAccount = makeAddr("registry");
    address internal keeper = makeAddr("keeper");
    address internal jarOwner = makeAddr("jarOwner");
    address[3] internal ops;
    address internal outsider = makeAddr("outsider");

    RewardsCoordinator internal rc;
    WrappedEther internal weth;
    BLSAVSRegistrar internal registrar;
    DAFeeDistributor internal dist;
    uint64 internal period;

    function setUp() public override {
        super.setUp();
        vm.warp(100 * DAY + 5);
        _createSet(1, _strategies(strategy), false);
        address[3] memory named = [makeAddr("op-a"), makeAddr("op-b"), makeAddr("op-c")];
        // ascending, as the coordinator requires
        for (uint256 i = 0; i < 3; ++i)
            for (uint256 j = i + 1; j < 3; ++j) if (named[j] < named[i]) (named[i], named[j]) = (named[j], named[i]);
        ops = named;
        for (uint256 i = 0; i < 3; ++i) _operatorInSet(ops[i], (i + 1) * 100e18, 1, 0.5e18);
        _registerOperator(outsider, 0);
        FeeJar jar = new FeeJar(jarOwner, address(0));
        ProtocolFee protocolFee = new ProtocolFee(governance, address(jar), 2000);
        rc = new RewardsCoordinator(
            governance,
            makeAddr("updater"),
            RewardsCoordinatorParams({
                allocationManager: am,
                protocolFee: IProtocolFee(address(protocolFee)),
                calculationIntervalSeconds: DAY,
                maxRewardsDuration: 70 * DAY,
                maxRetroactiveLength: RETRO,
                maxFutureLength: 30 * DAY,
                activationDelay: 1 hours,
                operatorSplitDelay: 7 * DAY
            })
        );
        weth = new WrappedEther();
        IBLSAVSRegistrar.StrategyWeight[] memory weights = new IBLSAVSRegistrar.StrategyWeight[](1);
        weights[0] = IBLSAVSRegistrar.StrategyWeight({strategy: strategy, multiplier: 1e18});
        registrar = new BLSAVSRegistrar(am, avs, 1, weights);
        dist = new DAFeeDistributor(_config(DAY));
        vm.prank(avs);
        rc.setRewardsSubmitter(address(dist), true);
        period = dist.periodOf(block.timestamp);
        vm.deal(registryAccount, 1_000_000 ether);
    }

    // ------------------------------------------------------------------ helpers

    function _config(uint32 periodSeconds) internal view returns (DAFeeDistributor.Config memory) {
        return
            DAFeeDistributor.Config({
                governance: governance,
                registry: registryAccount,
                registrar: registrar,
                rewardsCoordinator: rc,
                weth: weth,
                distributor: keeper,
                periodSeconds: periodSeconds
            });
    }

    function _accrue(bytes32 id, uint256 amount) internal {
        vm.prank(registryAccount);
        dist.accrue{value: amount}(id);
    }

    function _rewards(uint256 a, uint256 b, uint256 c) internal view returns (OperatorReward[] memory list) {
        uint256[3] memory amounts = [a, b, c];
        uint256 n = 0;
        for (uint256 i = 0; i < 3; ++i) if (amounts[i] != 0) ++n;
        list = new OperatorReward[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < 3; ++i)
            if (amounts[i] != 0) list[k++] = OperatorReward({operator: ops[i], amount: amounts[i]});
    }

    function _endPeriod() internal {
        vm.warp((uint256(period) + 1) * DAY);
    }

    /// @dev The reference split (keepers/da-fees/split.ts): floor(amount * stake / signed), dust to the
    /// largest stake (first on ties).
    function _split(uint256 amount, uint256[3] memory stakes) internal pure returns (uint256[3] memory out) {
        uint256 signed = stakes[0] + stakes[1] + stakes[2];
        uint256 given = 0;
        uint256 largest = 0;
        for (uint256 i = 0; i < 3; ++i) {
            out[i] = (amount * stakes[i]) / signed;
            given += out[i];
            if (stakes[i] > stakes[largest]) largest = i;
        }
        out[largest] += amount - given;
    }

    // ------------------------------------------------------------------ distribution

    function test_distribute_paysThePeriodsAccruedTotalAsWethToTheCoordinator() public {
        _accrue(keccak256("c1"), 0.3 ether);
        _accrue(keccak256("c2"), 0.7 ether + 1);
        assertEq(dist.periodFees(period).accrued, 1 ether + 1);
        _endPeriod();
        vm.expectEmit(address(dist));
        emit IDAFeeDistributor.FeesDistributed(period, 1 ether + 1, 2);
        vm.prank(keeper);
        dist.distribute(period, _rewards(0.4 ether, 0, 0.6 ether + 1));
        assertEq(weth.balanceOf(address(rc)), 1 ether + 1);
        assertEq(rc.totalFunded(weth), 1 ether + 1);
        assertEq(address(dist).balance, 0);
        assertEq(weth.totalSupply(), 1 ether + 1);
        assertEq(address(weth).balance, 1 ether + 1);
        assertTrue(dist.periodFees(period).distributed);
    }

    function test_distribute_submissionCoversExactlyThePeriod() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.prank(keeper);
        dist.distribute(period, _rewards(1000, 0, 0));
        // the coordinator's event names the distributor as submitter for the DA set
        assertEq(rc.submissionNonce(address(dist)), 1);
        assertEq(uint256(period) * DAY, (block.timestamp / DAY - 1) * DAY);
    }

    function test_distribute_onlyOncePerPeriod() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.startPrank(keeper);
        dist.distribute(period, _rewards(500, 500, 0));
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.PeriodAlreadyDistributed.selector, period));
        dist.distribute(period, _rewards(500, 500, 0));
        vm.stopPrank();
    }

    function test_distribute_revertsBeforeThePeriodEnds() public {
        _accrue(keccak256("c1"), 1000);
        uint256 endsAt = (uint256(period) + 1) * DAY;
        vm.warp(endsAt - 1);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.PeriodNotEnded.selector, period, endsAt));
        dist.distribute(period, _rewards(1000, 0, 0));
    }

    function test_distribute_revertsForAPeriodThatAccruedNothing() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.NothingToDistribute.selector, period - 1));
        dist.distribute(period - 1, _rewards(1000, 0, 0));
    }

    function test_distribute_feesLandInThePeriodOfConfirmation() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        _accrue(keccak256("c2"), 7);
        assertEq(dist.periodFees(period).accrued, 1000);
        assertEq(dist.periodFees(period + 1).accrued, 7);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.RewardsSumMismatch.selector, period, 1007, 1000));
        dist.distribute(period, _rewards(1007, 0, 0));
    }

    function test_distribute_revertsForANonMember() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        OperatorReward[] memory list = new OperatorReward[](1);
        list[0] = OperatorReward({operator: outsider, amount: 1000});
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.NotOperatorSetMember.selector, outsider));
        dist.distribute(period, list);
    }

    function test_distribute_revertsWhenTheSumIsOffByOneWeiEitherWay() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.RewardsSumMismatch.selector, period, 999, 1000));
        dist.distribute(period, _rewards(500, 499, 0));
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.RewardsSumMismatch.selector, period, 1001, 1000));
        dist.distribute(period, _rewards(500, 501, 0));
        vm.stopPrank();
    }

    function test_distribute_coordinatorRulesStillApply() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        OperatorReward[] memory list = new OperatorReward[](2);
        list[0] = OperatorReward({operator: ops[1], amount: 500});
        list[1] = OperatorReward({operator: ops[0], amount: 500});
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.OperatorsNotAscending.selector, ops[1], ops[0])
        );
        dist.distribute(period, list);
        // and the state change rolled back with it
        assertFalse(dist.periodFees(period).distributed);
    }

    function test_distribute_onlyTheDistributorRole() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.CallerNotDistributor.selector, outsider, keeper));
        dist.distribute(period, _rewards(1000, 0, 0));
    }

    function test_distribute_needsTheAVSsAppointment() public {
        _accrue(keccak256("c1"), 1000);
        _endPeriod();
        vm.prank(avs);
        rc.setRewardsSubmitter(address(dist), false);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.CallerNotAVS.selector, address(dist), avs));
        dist.distribute(period, _rewards(1000, 0, 0));
    }

    function test_accrue_onlyTheRegistry() public {
        vm.deal(outsider, 1 ether);
        vm.prank(outsider);
        vm.expectRevert(
            abi.encodeWithSelector(IDAFeeDistributor.CallerNotRegistry.selector, outsider, registryAccount)
        );
        dist.accrue{value: 1}(bytes32(0));
    }

    function test_constructor_rejectsPeriodsTheCoordinatorCannotTake() public {
        vm.expectRevert(
            abi.encodeWithSelector(IDAFeeDistributor.InvalidPeriodSeconds.selector, DAY + 1, DAY, 70 * DAY)
        );
        new DAFeeDistributor(_config(DAY + 1));
        vm.expectRevert(
            abi.encodeWithSelector(IDAFeeDistributor.InvalidPeriodSeconds.selector, 71 * DAY, DAY, 70 * DAY)
        );
        new DAFeeDistributor(_config(71 * DAY));
        DAFeeDistributor.Config memory config = _config(DAY);
        config.distributor = address(0);
        vm.expectRevert(IDAFeeDistributor.ZeroAddress.selector);
        new DAFeeDistributor(config);
    }

    // ------------------------------------------------------------------ reclaim

    function test_reclaim_onlyOnceThePeriodCanNoLongerBeDistributed() public {
        _accrue(keccak256("c1"), 1000);
        address payable to = payable(makeAddr("treasury"));
        uint256 reclaimableAt = uint256(period) * DAY + RETRO + 1;
        vm.warp(reclaimableAt - 1);
        vm.startPrank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(IDAFeeDistributor.PeriodStillDistributable.selector, period, reclaimableAt)
        );
        dist.reclaimUndistributable(period, to);
        vm.stopPrank();
        // the coordinator still takes it at the last moment
        vm.prank(keeper);
        dist.distribute(period, _rewards(1000, 0, 0));
        vm.warp(reclaimableAt);
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.PeriodAlreadyDistributed.selector, period));
        dist.reclaimUndistributable(period, to);
    }

    function test_reclaim_sendsALapsedPeriodToGovernanceAndClosesIt() public {
        _accrue(keccak256("c1"), 1000);
        address payable to = payable(makeAddr("treasury"));
        vm.warp(uint256(period) * DAY + RETRO + 1);
        vm.prank(keeper);
        vm.expectRevert(); // StartOutOfRange from the coordinator
        dist.distribute(period, _rewards(1000, 0, 0));
        vm.prank(governance);
        dist.reclaimUndistributable(period, to);
        assertEq(to.balance, 1000);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IDAFeeDistributor.PeriodAlreadyDistributed.selector, period));
        dist.distribute(period, _rewards(1000, 0, 0));
    }

    function test_reclaim_onlyGovernance() public {
        vm.prank(outsider);
        vm.expectRevert();
        dist.reclaimUndistributable(period, payable(outsider));
    }

    // ------------------------------------------------------------------ split rounding (fuzz)

    function testFuzz_split_dustGoesToTheLargestSignerAndTheTotalIsExact(
        uint72 fee1,
        uint72 fee2,
        uint64 s0,
        uint64 s1,
        uint64 s2
    ) public {
        vm.assume(fee1 > 0 || fee2 > 0);
        // certificate 1 signed by all three, certificate 2 by the first two
        uint256[3] memory stakes1 = [uint256(s0) + 1, uint256(s1) + 1, uint256(s2) + 1];
        uint256[3] memory stakes2 = [uint256(s0) + 1, uint256(s1) + 1, 0];
        uint256[3] memory a = _split(fee1, stakes1);
        uint256[3] memory b = _split(fee2, stakes2);
        for (uint256 i = 0; i < 3; ++i) {
            // each share is within the dust (fewer wei than signers) of the exact rational share
            assertLe(
                a[i] * (stakes1[0] + stakes1[1] + stakes1[2]),
                uint256(fee1) * stakes1[i] + 3 * (stakes1[0] + stakes1[1] + stakes1[2])
            );
            assertGe(
                a[i] * (stakes1[0] + stakes1[1] + stakes1[2]) + (stakes1[0] + stakes1[1] + stakes1[2]),
                uint256(fee1) * stakes1[i]
            );
        }
        assertEq(b[2], 0, "a non-signer gets nothing");
        if (fee1 > 0) _accrue(keccak256("c1"), fee1);
        if (fee2 > 0) _accrue(keccak256("c2"), fee2);
        _endPeriod();
        vm.prank(keeper);
        dist.distribute(period, _rewards(a[0] + b[0], a[1] + b[1], a[2] + b[2]));
        assertEq(rc.totalFunded(weth), uint256(fee1) + fee2);
        assertEq(address(dist).balance, 0);
    }

    // ------------------------------------------------------------------ WETH

    function test_weth_depositAndWithdrawAreOneToOne() public {
        address user = makeAddr("user");
        vm.deal(user, 3 ether);
        vm.startPrank(user);
        vm.expectEmit(address(weth));
        emit IWrappedEther.Deposit(user, 2 ether);
        weth.deposit{value: 2 ether}();
        (bool ok, ) = address(weth).call{value: 1 ether}("");
        assertTrue(ok);
        assertEq(weth.balanceOf(user), 3 ether);
        vm.expectEmit(address(weth));
        emit IWrappedEther.Withdrawal(user, 1.5 ether);
        weth.withdraw(1.5 ether);
        vm.stopPrank();
        assertEq(user.balance, 1.5 ether);
        assertEq(weth.totalSupply(), address(weth).balance);
    }

    function test_weth_rejectsZeroAndOverdraw() public {
        address user = makeAddr("user");
        vm.deal(user, 1 ether);
        vm.startPrank(user);
        vm.expectRevert(IWrappedEther.ZeroAmount.selector);
        weth.deposit{value: 0}();
        vm.expectRevert(IWrappedEther.ZeroAmount.selector);
        weth.withdraw(0);
        weth.deposit{value: 1 ether}();
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, user, 1 ether, 1 ether + 1)
        );
        weth.withdraw(1 ether + 1);
        vm.stopPrank();
    }

    function test_weth_withdrawToAContractThatRefusesEtherReverts() public {
        EtherRefuser refuser = new EtherRefuser();
        vm.deal(address(refuser), 1 ether);
        vm.prank(address(refuser));
        weth.deposit{value: 1 ether}();
        vm.expectRevert();
        refuser.unwrap(weth, 1 ether);
        assertEq(weth.balanceOf(address(refuser)), 1 ether);
    }
}
