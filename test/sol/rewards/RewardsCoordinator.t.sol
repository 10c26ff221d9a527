// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {FeeJar} from "../../../contracts/fees/FeeJar.sol";
import {ProtocolFee} from "../../../contracts/fees/ProtocolFee.sol";
import {IProtocolFee} from "../../../contracts/interfaces/IProtocolFee.sol";
import {
    IRewardsCoordinator,
    IRewardsCoordinatorErrors,
    IRewardsCoordinatorEvents,
    IRewardsCoordinatorTypes
} from "../../../contracts/interfaces/IRewardsCoordinator.sol";
import {IStrategy} from "../../../contracts/interfaces/IStrategy.sol";
import {OperatorSet} from "../../../contracts/libraries/OperatorSetLib.sol";
import {RewardsCoordinator} from "../../../contracts/rewards/RewardsCoordinator.sol";
import {VcloudTestToken} from "../../../contracts/tokens/VcloudTestToken.sol";
import {RestakingTestBase} from "../core/RestakingTestBase.sol";

contract RewardsCoordinatorTest is RestakingTestBase, IRewardsCoordinatorTypes {
    uint32 internal constant DAY = 1 days;
    address internal updater = makeAddr("updater");
    address internal op1 = makeAddr("op1");
    address internal op2 = makeAddr("op2");
    address internal staker = makeAddr("staker");
    address internal claimer = makeAddr("claimer");

    FeeJar internal jar;
    ProtocolFee internal protocolFee;
    RewardsCoordinator internal rc;
    VcloudTestToken internal reward;
    VcloudTestToken internal other;

    function setUp() public override {
        super.setUp();
        vm.warp(100 * DAY);
        _createSet(1, _strategies(strategy), false);
        _operatorInSet(op1, 100e18, 1, 0.5e18);
        _operatorInSet(op2, 100e18, 1, 0.5e18);
        jar = new FeeJar(governance, address(0));
        protocolFee = new ProtocolFee(governance, address(jar), 2000);
        rc = new RewardsCoordinator(
            governance,
            updater,
            RewardsCoordinatorParams({
                allocationManager: am,
                protocolFee: IProtocolFee(address(protocolFee)),
                calculationIntervalSeconds: DAY,
                maxRewardsDuration: 70 * DAY,
                maxRetroactiveLength: 30 * DAY,
                maxFutureLength: 30 * DAY,
                activationDelay: 1 hours,
                operatorSplitDelay: 7 * DAY
            })
        );
        reward = new VcloudTestToken("Reward", "RWD", address(this));
        other = new VcloudTestToken("Other", "OTH", address(this));
        reward.mint(avs, 1e30);
        vm.prank(avs);
        reward.approve(address(rc), type(uint256).max);
    }

    // ------------------------------------------------------------------ helpers

    function _sm() internal view returns (StrategyAndMultiplier[] memory list) {
        list = new StrategyAndMultiplier[](1);
        list[0] = StrategyAndMultiplier({strategy: strategy, multiplier: 1e18});
    }

    function _submission(uint256 amount) internal view returns (RewardsSubmission[] memory list) {
        list = new RewardsSubmission[](1);
        list[0] = RewardsSubmission({
            strategiesAndMultipliers: _sm(),
            token: IERC20(address(reward)),
            amount: amount,
            startTimestamp: uint32(block.timestamp - (block.timestamp % DAY)),
            duration: 7 * DAY
        });
    }

    function _submit(uint256 amount) internal {
        vm.prank(avs);
        rc.createOperatorSetRewardsSubmission(_set(1), _submission(amount));
    }

    function _optIn() internal {
        vm.prank(avs);
        rc.setOptInForProtocolFee(true);
    }

    function _expectRevertSubmit(RewardsSubmission[] memory s, bytes memory err) internal {
        vm.expectRevert(err);
        vm.prank(avs);
        rc.createOperatorSetRewardsSubmission(_set(1), s);
    }

    function _leaf(address earner, IERC20 token, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(earner, token, amount))));
    }

    /// @dev Posts a two-leaf root (op1 and staker in `reward`) and waits for activation; returns its index.
    function _postRoot2(uint256 op1Amount, uint256 stakerAmount) internal returns (uint32 index, bytes32 a, bytes32 b) {
        a = _leaf(op1, IERC20(address(reward)), op1Amount);
        b = _leaf(staker, IERC20(address(reward)), stakerAmount);
        index = uint32(rc.getDistributionRootsLength());
        uint32 end = uint32(block.timestamp - 1);
        vm.prank(updater);
        rc.submitRoot(Hashes.commutativeKeccak256(a, b), end);
        vm.warp(block.timestamp + 1 hours);
    }

    function _claim(
        uint32 index,
        address earner,
        uint256 amount,
        bytes32 sibling
    ) internal view returns (RewardsMerkleClaim memory c) {
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = sibling;
        c = RewardsMerkleClaim({
            rootIndex: index,
            earner: earner,
            token: IERC20(address(reward)),
            cumulativeEarnings: amount,
            proof: proof
        });
    }

    // ------------------------------------------------------------------ submissions and the protocol fee

    function test_optedInSubmissionSendsTwentyPercentToTheJar() public {
        _optIn();
        RewardsSubmission memory expected = _submission(800e18)[0];
        vm.expectEmit(address(rc));
        emit IRewardsCoordinatorEvents.OperatorSetRewardsSubmissionCreated(
            avs,
            keccak256(abi.encode(avs, uint256(0), expected)),
            _set(1),
            0,
            expected,
            200e18
        );
        _submit(1000e18);
        assertEq(reward.balanceOf(address(jar)), 200e18);
        assertEq(reward.balanceOf(address(rc)), 800e18);
        assertEq(rc.totalFunded(IERC20(address(reward))), 800e18);
        assertEq(rc.submissionNonce(avs), 1);
    }

    function test_submissionWithoutOptInPaysNoFee() public {
        _submit(1000e18);
        assertEq(reward.balanceOf(address(jar)), 0);
        assertEq(rc.totalFunded(IERC20(address(reward))), 1000e18);
    }

    function testFuzz_submissionFeeIsExactlyTheConfiguredFraction(uint256 amount, uint16 bips) public {
        amount = bound(amount, 1, 1e29);
        bips = uint16(bound(bips, 0, 5000));
        vm.prank(governance);
        protocolFee.setFeeBips(bips);
        _optIn();
        _submit(amount);
        uint256 fee = reward.balanceOf(address(jar));
        assertEq(fee, (amount * bips) / 10_000);
        assertEq(rc.totalFunded(IERC20(address(reward))) + fee, amount);
        assertEq(reward.balanceOf(address(rc)), amount - fee);
    }

    function test_operatorDirectedFeeIsTakenPerOperator() public {
        _optIn();
        OperatorDirectedRewardsSubmission[] memory s = new OperatorDirectedRewardsSubmission[](1);
        OperatorReward[] memory rewards = new OperatorReward[](2);
        (address lo, address hi) = op1 < op2 ? (op1, op2) : (op2, op1);
        rewards[0] = OperatorReward(lo, 101);
        rewards[1] = OperatorReward(hi, 1000);
        s[0] = OperatorDirectedRewardsSubmission({
            strategiesAndMultipliers: _sm(),
            token: IERC20(address(reward)),
            operatorRewards: rewards,
            startTimestamp: _submission(1)[0].startTimestamp,
            duration: DAY,
            description: "directed"
        });
        vm.prank(avs);
        rc.createOperatorDirectedOperatorSetRewardsSubmission(_set(1), s);
        // floor(101 * 0.2) + floor(1000 * 0.2) = 20 + 200
        assertEq(reward.balanceOf(address(jar)), 220);
        assertEq(rc.totalFunded(IERC20(address(reward))), 1101 - 220);
    }

    function test_operatorDirectedChecks() public {
        OperatorDirectedRewardsSubmission[] memory s = new OperatorDirectedRewardsSubmission[](1);
        s[0].strategiesAndMultipliers = _sm();
        s[0].token = IERC20(address(reward));
        s[0].startTimestamp = _submission(1)[0].startTimestamp;
        s[0].duration = DAY;
        vm.startPrank(avs);
        vm.expectRevert(IRewardsCoordinatorErrors.NoOperatorRewards.selector);
        rc.createOperatorDirectedOperatorSetRewardsSubmission(_set(1), s);
        OperatorReward[] memory rewards = new OperatorReward[](2);
        rewards[0] = OperatorReward(address(2), 1);
        rewards[1] = OperatorReward(address(1), 1);
        s[0].operatorRewards = rewards;
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.OperatorsNotAscending.selector, address(2), address(1))
        );
        rc.createOperatorDirectedOperatorSetRewardsSubmission(_set(1), s);
        rewards[1] = OperatorReward(address(3), 0);
        vm.expectRevert(IRewardsCoordinatorErrors.AmountZero.selector);
        rc.createOperatorDirectedOperatorSetRewardsSubmission(_set(1), s);
        vm.stopPrank();
    }

    function test_onlyTheSetsAVSSubmits() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.CallerNotAVS.selector, op1, avs));
        vm.prank(op1);
        rc.createOperatorSetRewardsSubmission(_set(1), _submission(1));
    }

    function test_unknownOperatorSetReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidOperatorSet.selector, avs, uint32(9)));
        vm.prank(avs);
        rc.createOperatorSetRewardsSubmission(_set(9), _submission(1));
    }

    function test_submissionValidation() public {
        RewardsSubmission[] memory s = _submission(0);
        _expectRevertSubmit(s, abi.encodeWithSelector(IRewardsCoordinatorErrors.AmountZero.selector));
        s = _submission(1e38);
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.AmountTooLarge.selector, 1e38, 1e38 - 1)
        );
        s = _submission(1);
        s[0].duration = 0;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidDuration.selector, 0, 70 * DAY, DAY)
        );
        s[0].duration = 71 * DAY;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidDuration.selector, 71 * DAY, 70 * DAY, DAY)
        );
        s[0].duration = DAY + 1;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidDuration.selector, DAY + 1, 70 * DAY, DAY)
        );
        s = _submission(1);
        s[0].startTimestamp += 1;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.StartNotAligned.selector, s[0].startTimestamp, DAY)
        );
        s[0].startTimestamp = uint32(block.timestamp - (block.timestamp % DAY)) - 31 * DAY;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.StartOutOfRange.selector,
                s[0].startTimestamp,
                block.timestamp - 30 * DAY,
                block.timestamp + 30 * DAY
            )
        );
        s = _submission(1);
        s[0].strategiesAndMultipliers = new StrategyAndMultiplier[](0);
        _expectRevertSubmit(s, abi.encodeWithSelector(IRewardsCoordinatorErrors.NoStrategies.selector));
        s = _submission(1);
        s[0].strategiesAndMultipliers[0].multiplier = 0;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.MultiplierZero.selector, address(strategy))
        );
        s = _submission(1);
        s[0].strategiesAndMultipliers[0].strategy = IStrategy(address(0xBEEF));
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(IRewardsCoordinatorErrors.StrategyNotInOperatorSet.selector, address(0xBEEF))
        );
        s = _submission(1);
        StrategyAndMultiplier[] memory twice = new StrategyAndMultiplier[](2);
        twice[0] = s[0].strategiesAndMultipliers[0];
        twice[1] = s[0].strategiesAndMultipliers[0];
        s[0].strategiesAndMultipliers = twice;
        _expectRevertSubmit(
            s,
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.StrategiesNotAscending.selector,
                address(strategy),
                address(strategy)
            )
        );
    }

    // ------------------------------------------------------------------ operator splits

    function test_operatorSplitDefaultsToTenPercentAndChangesAfterTheDelay() public {
        assertEq(rc.getOperatorSetSplit(op1, _set(1)), 1000);
        vm.prank(op1);
        rc.setOperatorSetSplit(op1, _set(1), 2500);
        assertEq(rc.getOperatorSetSplit(op1, _set(1)), 1000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.SplitChangePending.selector,
                uint32(block.timestamp + 7 * DAY)
            )
        );
        vm.prank(op1);
        rc.setOperatorSetSplit(op1, _set(1), 3000);
        vm.warp(block.timestamp + 7 * DAY);
        assertEq(rc.getOperatorSetSplit(op1, _set(1)), 2500);
        assertEq(rc.getOperatorSetSplit(op2, _set(1)), 1000);
    }

    function test_operatorSplitChecks() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.CallerNotOperator.selector, op2, op1));
        vm.prank(op2);
        rc.setOperatorSetSplit(op1, _set(1), 1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.SplitTooHigh.selector, uint16(10_001)));
        vm.prank(op1);
        rc.setOperatorSetSplit(op1, _set(1), 10_001);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidOperatorSet.selector, avs, uint32(9)));
        vm.prank(op1);
        rc.setOperatorSetSplit(op1, _set(9), 1);
    }

    // ------------------------------------------------------------------ roots

    function test_rootsAdvanceAndOnlyTheUpdaterPostsThem() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.CallerNotRewardsUpdater.selector, op1));
        vm.prank(op1);
        rc.submitRoot(bytes32(uint256(1)), uint32(block.timestamp - 1));
        vm.startPrank(updater);
        rc.submitRoot(bytes32(uint256(1)), uint32(block.timestamp - 10));
        assertEq(rc.currRewardsCalculationEndTimestamp(), block.timestamp - 10);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.InvalidCalculationEnd.selector,
                uint32(block.timestamp - 10),
                uint32(block.timestamp - 10),
                block.timestamp
            )
        );
        rc.submitRoot(bytes32(uint256(2)), uint32(block.timestamp - 10));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.InvalidCalculationEnd.selector,
                uint32(block.timestamp),
                uint32(block.timestamp - 10),
                block.timestamp
            )
        );
        rc.submitRoot(bytes32(uint256(2)), uint32(block.timestamp));
        vm.stopPrank();
        DistributionRoot memory root = rc.getDistributionRootAtIndex(0);
        assertEq(root.root, bytes32(uint256(1)));
        assertEq(root.activatedAt, block.timestamp + 1 hours);
    }

    function test_rootCanBeDisabledOnlyBeforeActivation() public {
        vm.startPrank(updater);
        rc.submitRoot(bytes32(uint256(1)), uint32(block.timestamp - 1));
        rc.disableRoot(0);
        assertTrue(rc.getDistributionRootAtIndex(0).disabled);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.RootNotDisableable.selector, uint32(0)));
        rc.disableRoot(0);
        vm.warp(block.timestamp + 1);
        rc.submitRoot(bytes32(uint256(2)), uint32(block.timestamp - 1));
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.RootNotDisableable.selector, uint32(1)));
        rc.disableRoot(1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidRootIndex.selector, uint32(5), 2));
        rc.disableRoot(5);
        vm.stopPrank();
    }

    function test_onlyGovernanceSetsTheUpdater() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, updater));
        vm.prank(updater);
        rc.setRewardsUpdater(op1);
        vm.expectRevert(IRewardsCoordinatorErrors.InputAddressZero.selector);
        vm.prank(governance);
        rc.setRewardsUpdater(address(0));
    }

    // ------------------------------------------------------------------ claims

    function test_earnerClaimsWithAProof() public {
        _submit(1000e18);
        (uint32 index, , bytes32 b) = _postRoot2(100e18, 50e18);
        vm.prank(op1);
        rc.processClaim(_claim(index, op1, 100e18, b), op1);
        assertEq(reward.balanceOf(op1), 100e18);
        assertEq(rc.cumulativeClaimed(op1, IERC20(address(reward))), 100e18);
        assertEq(rc.totalClaimed(IERC20(address(reward))), 100e18);
    }

    function test_replayedClaimReverts() public {
        _submit(1000e18);
        (uint32 index, , bytes32 b) = _postRoot2(100e18, 50e18);
        vm.startPrank(op1);
        rc.processClaim(_claim(index, op1, 100e18, b), op1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.EarningsNotGreaterThanClaimed.selector,
                op1,
                address(reward),
                100e18,
                100e18
            )
        );
        rc.processClaim(_claim(index, op1, 100e18, b), op1);
        vm.stopPrank();
    }

    function test_laterRootPaysOnlyTheDifference() public {
        _submit(1000e18);
        (uint32 first, , bytes32 b1) = _postRoot2(100e18, 50e18);
        vm.prank(op1);
        rc.processClaim(_claim(first, op1, 100e18, b1), op1);
        (uint32 second, , bytes32 b2) = _postRoot2(160e18, 80e18);
        vm.prank(op1);
        rc.processClaim(_claim(second, op1, 160e18, b2), op1);
        assertEq(reward.balanceOf(op1), 160e18);
        // The older, lower cumulative root can no longer pay anything.
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.EarningsNotGreaterThanClaimed.selector,
                op1,
                address(reward),
                100e18,
                160e18
            )
        );
        vm.prank(op1);
        rc.processClaim(_claim(first, op1, 100e18, b1), op1);
    }

    function test_invalidProofReverts() public {
        _submit(1000e18);
        (uint32 index, , bytes32 b) = _postRoot2(100e18, 50e18);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidClaimProof.selector, op1, address(reward), 101e18)
        );
        vm.prank(op1);
        rc.processClaim(_claim(index, op1, 101e18, b), op1);
        RewardsMerkleClaim memory c = _claim(index, op1, 100e18, bytes32(uint256(b) ^ 1));
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidClaimProof.selector, op1, address(reward), 100e18)
        );
        vm.prank(op1);
        rc.processClaim(c, op1);
    }

    function test_wrongTokenReverts() public {
        _submit(1000e18);
        (uint32 index, , bytes32 b) = _postRoot2(100e18, 50e18);
        RewardsMerkleClaim memory c = _claim(index, op1, 100e18, b);
        c.token = IERC20(address(other));
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidClaimProof.selector, op1, address(other), 100e18)
        );
        vm.prank(op1);
        rc.processClaim(c, op1);
    }

    function test_claimerNotEarnerReverts_unlessAppointed() public {
        _submit(1000e18);
        (uint32 index, bytes32 a, ) = _postRoot2(100e18, 50e18);
        RewardsMerkleClaim memory c = _claim(index, staker, 50e18, a);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.UnauthorizedClaimer.selector, claimer, staker)
        );
        vm.prank(claimer);
        rc.processClaim(c, claimer);
        vm.prank(staker);
        rc.setClaimerFor(claimer);
        assertEq(rc.claimerFor(staker), claimer);
        vm.prank(claimer);
        rc.processClaim(c, claimer);
        assertEq(reward.balanceOf(claimer), 50e18);
    }

    function test_claimBeforeActivationOrOnDisabledRootReverts() public {
        _submit(1000e18);
        bytes32 a = _leaf(op1, IERC20(address(reward)), 1e18);
        bytes32 b = _leaf(staker, IERC20(address(reward)), 1e18);
        vm.prank(updater);
        rc.submitRoot(Hashes.commutativeKeccak256(a, b), uint32(block.timestamp - 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsCoordinatorErrors.RootNotActivated.selector,
                uint32(0),
                uint32(block.timestamp + 1 hours)
            )
        );
        vm.prank(op1);
        rc.processClaim(_claim(0, op1, 1e18, b), op1);
        vm.prank(updater);
        rc.disableRoot(0);
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.RootDisabled.selector, uint32(0)));
        vm.prank(op1);
        rc.processClaim(_claim(0, op1, 1e18, b), op1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidRootIndex.selector, uint32(7), 1));
        vm.prank(op1);
        rc.processClaim(_claim(7, op1, 1e18, b), op1);
        vm.expectRevert(IRewardsCoordinatorErrors.InputAddressZero.selector);
        vm.prank(op1);
        rc.processClaim(_claim(0, op1, 1e18, b), address(0));
    }

    function test_badRootCannotPayMoreThanFunded() public {
        _submit(100e18);
        (uint32 index, bytes32 a, bytes32 b) = _postRoot2(80e18, 30e18);
        vm.prank(op1);
        rc.processClaim(_claim(index, op1, 80e18, b), op1);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.ClaimExceedsFunded.selector, address(reward), 30e18, 20e18)
        );
        vm.prank(staker);
        rc.processClaim(_claim(index, staker, 30e18, a), staker);
    }

    function testFuzz_sumOfClaimsNeverExceedsFunded(uint128 funded, uint128 x, uint128 y) public {
        funded = uint128(bound(funded, 1, 1e30));
        x = uint128(bound(x, 1, type(uint128).max));
        y = uint128(bound(y, 1, type(uint128).max));
        _submit(funded);
        (uint32 index, bytes32 a, bytes32 b) = _postRoot2(x, y);
        vm.prank(op1);
        try rc.processClaim(_claim(index, op1, x, b), op1) {} catch {}
        vm.prank(staker);
        try rc.processClaim(_claim(index, staker, y, a), staker) {} catch {}
        uint256 paid = reward.balanceOf(op1) + reward.balanceOf(staker);
        assertLe(paid, funded);
        assertEq(paid, rc.totalClaimed(IERC20(address(reward))));
        assertEq(reward.balanceOf(address(rc)), funded - paid);
        // Each claim either paid in full or nothing.
        assertTrue(reward.balanceOf(op1) == 0 || reward.balanceOf(op1) == x);
        assertTrue(reward.balanceOf(staker) == 0 || reward.balanceOf(staker) == y);
        if (uint256(x) + y <= funded) assertEq(paid, uint256(x) + y);
    }

    function test_leafMatchesTheStandardMerkleTreeEncoding() public view {
        assertEq(rc.calculateLeaf(op1, IERC20(address(reward)), 5), _leaf(op1, IERC20(address(reward)), 5));
    }

    function test_constructorRejectsZeroAddressesAndMisalignedDuration() public {
        RewardsCoordinatorParams memory p = RewardsCoordinatorParams({
            allocationManager: am,
            protocolFee: IProtocolFee(address(0)),
            calculationIntervalSeconds: DAY,
            maxRewardsDuration: 70 * DAY,
            maxRetroactiveLength: 0,
            maxFutureLength: 0,
            activationDelay: 0,
            operatorSplitDelay: 0
        });
        vm.expectRevert(IRewardsCoordinatorErrors.InputAddressZero.selector);
        new RewardsCoordinator(governance, updater, p);
        p.protocolFee = IProtocolFee(address(protocolFee));
        p.maxRewardsDuration = DAY + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsCoordinatorErrors.InvalidDuration.selector, DAY + 1, DAY + 1, DAY)
        );
        new RewardsCoordinator(governance, updater, p);
    }
}
